/**
 * The auth matrix over EVERY operation of the OpenAPI document (so a new route cannot escape it):
 * no credentials, unknown token, malformed header, revoked token → 401; a token whose scopes do not
 * cover the route → 403. Expectations come from each operation's `x-facteur-access` rule.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, call, createDomainFixture, createTokenFixture, jsonOf, ok } from "./helpers";

interface Operation {
  method: string;
  path: string;
  access: "admin" | "domain" | "user" | "public";
  hasBody: boolean;
}

const tokens: Record<string, string> = {};

async function operations(): Promise<Operation[]> {
  const doc = await jsonOf(await call("GET", "/api/openapi.json", { token: null }));
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
    for (const [method, op] of Object.entries(item)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        access: op["x-facteur-access"] as Operation["access"],
        hasBody: "requestBody" in op,
      });
    }
  }
  return ops;
}

function concrete(path: string, domain = "a.example"): string {
  return path
    .replace("{domain}", domain)
    .replace("{address}", encodeURIComponent(`someone@${domain}`))
    .replace("{name}", "alice")
    .replace("{id}", "0".repeat(28))
    .replace("{selector}", "sel1");
}

async function status(op: Operation, token: string | null, path = concrete(op.path), headers?: Record<string, string>) {
  const res = await call(op.method, path, { token, ...(op.hasBody ? { body: {} } : {}), headers });
  // Whatever the credentials and however empty the body, never a server error.
  expect(res.status, `${op.method} ${path}`).toBeLessThan(500);
  if (res.status === 401 || res.status === 403) {
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  }
  return res.status;
}

let ops: Operation[] = [];

beforeAll(async () => {
  await createDomainFixture("a.example");
  await createDomainFixture("b.example");
  await ok(
    await call("POST", "/api/v1/users", {
      body: { name: "alice", password: "correct horse battery", mailboxes: ["alice@gmail.com"] },
    }),
    201,
  );
  tokens.read = (await createTokenFixture(["read"])).token;
  tokens.domainA = (await createTokenFixture(["domain:a.example"])).token;
  tokens.user = (await createTokenFixture([], "alice")).token;
  const revoked = await createTokenFixture(["admin"]);
  await ok(await call("DELETE", `/api/v1/tokens/${revoked.id}`));
  tokens.revoked = revoked.token;
  ops = await operations();
});

describe("auth matrix", () => {
  it("covers every documented operation", () => {
    expect(ops.length).toBeGreaterThan(30);
    expect(ops.filter((o) => o.access === "public").map((o) => o.path)).toEqual(["/healthz"]);
  });

  it("refuses missing, unknown, malformed and revoked credentials with 401 everywhere", async () => {
    for (const op of ops.filter((o) => o.access !== "public")) {
      const label = `${op.method} ${op.path}`;
      expect(await status(op, null), `${label} without token`).toBe(401);
      expect(await status(op, "fct_not-a-real-token"), `${label} unknown token`).toBe(401);
      expect(await status(op, tokens.revoked ?? ""), `${label} revoked token`).toBe(401);
      expect(
        await status(op, null, concrete(op.path), { authorization: "Basic !!!not-base64" }),
        `${label} malformed`,
      ).toBe(401);
      expect(
        // One wrong password per operation and user name: a user name has its own failure budget
        // across clients (credentials/auth-throttle.ts), which this sweep over every route would use up.
        await status(op, null, concrete(op.path), { authorization: `Basic ${btoa(`alice-${label}:wrong password`)}` }),
        `${label} wrong password`,
      ).toBe(401);
    }
  });

  it("refuses tokens whose scopes do not cover the operation with 403", async () => {
    for (const op of ops.filter((o) => o.access !== "public")) {
      const label = `${op.method} ${op.path}`;
      const write = op.method !== "GET";
      if (op.access === "user") {
        // Acting as a user needs a user identity: an admin or read token is not one.
        expect(await status(op, ADMIN), `${label} admin token`).toBe(403);
        expect(await status(op, tokens.read ?? ""), `${label} read token`).toBe(403);
        expect(await status(op, tokens.domainA ?? ""), `${label} domain token`).toBe(403);
        continue;
      }
      if (write) expect(await status(op, tokens.read ?? ""), `${label} read token`).toBe(403);
      expect(await status(op, tokens.user ?? ""), `${label} user token`).toBe(403);
      if (op.access === "admin") expect(await status(op, tokens.domainA ?? ""), `${label} domain token`).toBe(403);
      if (op.access === "domain" && /\{(domain|address)\}/.test(op.path)) {
        expect(await status(op, tokens.domainA ?? "", concrete(op.path, "b.example")), `${label} other domain`).toBe(
          403,
        );
      }
    }
  });

  it("lets the right scopes through (not 401/403)", async () => {
    for (const op of ops.filter((o) => o.access !== "public" && o.access !== "user")) {
      const label = `${op.method} ${op.path}`;
      expect([401, 403], `${label} admin`).not.toContain(await status(op, ADMIN));
      if (op.method === "GET" && op.path !== "/api/v1/export") {
        expect([401, 403], `${label} read`).not.toContain(await status(op, tokens.read ?? ""));
      }
      if (op.access === "domain")
        expect([401, 403], `${label} own domain`).not.toContain(await status(op, tokens.domainA ?? ""));
    }
  });

  it("healthz needs no credentials", async () => {
    const res = await call("GET", "/healthz", { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
