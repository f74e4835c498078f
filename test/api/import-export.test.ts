/**
 * The PTT/Elit users database imports as-is; a second import is a no-op; per-entry errors are
 * reported without losing the good entries; passwords are stored as PBKDF2 hashes that verify;
 * the export round-trips through the import.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/credentials/password";
import database from "../fixtures/database.json";
import { call, createDomainFixture, jsonOf, ok } from "./helpers";

interface Report {
  format: string;
  created: Record<string, number>;
  updated: Record<string, number>;
  unchanged: Record<string, number>;
  errors: { entry: string; field: string; detail: string }[];
}

beforeAll(async () => {
  await createDomainFixture("osau.re");
});

describe("import and export", () => {
  it("imports the PTT database.json as-is, creating <name>@domain for each user", async () => {
    const report = await ok<Report>(await call("POST", "/api/v1/import?domain=osau.re", { body: database }));
    expect(report.format).toBe("ptt");
    expect(report.errors).toEqual([]);
    expect(report.created).toEqual({ domains: 0, destinations: 0, users: 4, aliases: 4 });
    const din = await ok<{ mailboxes: string[]; aliases: string[]; has_password: boolean }>(
      await call("GET", "/api/v1/users/din"),
    );
    expect(din).toMatchObject({ mailboxes: ["romain@example.net"], aliases: ["din@osau.re"], has_password: true });
    const alias = await ok<{ destinations: null; owner: string }>(await call("GET", "/api/v1/aliases/hannes@osau.re"));
    expect(alias).toMatchObject({ destinations: null, owner: "hannes" });
    // Never in clear: a PBKDF2 hash that verifies the imported password and nothing else.
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE name = 'reynir'").first<{
      password_hash: string;
    }>();
    expect(row?.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(row?.password_hash).not.toContain("correct horse");
    expect(await verifyPassword("correct horse battery staple", row?.password_hash ?? null)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", row?.password_hash ?? null)).toBe(false);
  });

  it("a second import of the same file is a no-op", async () => {
    const before = await env.DB.prepare("SELECT name, password_hash, updated_at FROM users ORDER BY name").all();
    const report = await ok<Report>(await call("POST", "/api/v1/import?domain=osau.re", { body: database }));
    expect(report.created).toEqual({ domains: 0, destinations: 0, users: 0, aliases: 0 });
    expect(report.updated).toEqual({ domains: 0, destinations: 0, users: 0, aliases: 0 });
    expect(report.unchanged).toEqual({ domains: 0, destinations: 0, users: 4, aliases: 4 });
    const after = await env.DB.prepare("SELECT name, password_hash, updated_at FROM users ORDER BY name").all();
    expect(after.results).toEqual(before.results);
  });

  it("updates what changed and reports bad entries by index and field, keeping the good ones", async () => {
    const edited = [
      { ...database[0], mailboxes: ["romain@example.net", "din@example.org"] },
      { name: "bad name!", password: "whatever long", mailboxes: [] },
      { name: "shorty", password: "short", mailboxes: ["not-an-address"] },
      { name: "newcomer", password: "a fine password", mailboxes: ["new@example.org"] },
    ];
    const report = await ok<Report>(await call("POST", "/api/v1/import", { body: edited }));
    expect(report.updated.users).toBe(1);
    expect(report.created.users).toBe(1);
    expect(report.errors.map((e) => `${e.entry}:${e.field}`).sort()).toEqual([
      "users.1:name",
      "users.2:mailboxes.0",
      "users.2:password",
    ]);
    expect((await call("GET", "/api/v1/users/shorty")).status).toBe(404);
  });

  it("exports without password hashes by default, with them on request (admin), and re-imports as a no-op", async () => {
    const plain = await ok<{ users: Record<string, unknown>[] }>(await call("GET", "/api/v1/export"));
    expect(plain.users.every((u) => !("password_hash" in u))).toBe(true);
    const full = await ok<Record<string, unknown> & { users: { name: string; password_hash?: string }[] }>(
      await call("GET", "/api/v1/export?include_password_hashes=true"),
    );
    expect(full.facteur).toBe(1);
    expect(full.users.find((u) => u.name === "din")?.password_hash).toMatch(/^pbkdf2-sha256\$/);
    const report = await ok<Report>(await call("POST", "/api/v1/import", { body: full }));
    expect(report.format).toBe("facteur");
    expect(report.errors).toEqual([]);
    expect(Object.values(report.created).every((n) => n === 0)).toBe(true);
    expect(Object.values(report.updated).every((n) => n === 0)).toBe(true);
    expect(report.unchanged.users).toBe(5);
    expect(report.unchanged.aliases).toBe(4);
  });

  it("imports a Facteur export into an empty domain set (domains, destinations, users, aliases)", async () => {
    const report = await ok<Report>(
      await call("POST", "/api/v1/import", {
        body: {
          facteur: 1,
          domains: [{ name: "Imported.Example", catch_all: ["boss@example.org"] }],
          destinations: [{ address: "boss@example.org", verified: true }],
          users: [{ name: "carol", password: "carol's password", mailboxes: ["carol@example.org"] }],
          aliases: [
            { address: "carol@imported.example", owner: "carol" },
            { address: "sales@imported.example", destinations: ["boss@example.org"] },
            { address: "orphan@nowhere.example", destinations: ["boss@example.org"] },
          ],
        },
      }),
    );
    expect(report.created).toEqual({ domains: 1, destinations: 1, users: 1, aliases: 2 });
    expect(report.errors).toEqual([
      { entry: "aliases.2", field: "address", detail: "Facteur does not serve nowhere.example" },
    ]);
  });

  it("refuses exports with hashes to read tokens and imports to anything but admin", async () => {
    const read = await ok<{ token: string }>(
      await call("POST", "/api/v1/tokens", { body: { name: "r", scopes: ["read"] } }),
      201,
    );
    expect((await call("GET", "/api/v1/export?include_password_hashes=true", { token: read.token })).status).toBe(403);
    expect((await call("GET", "/api/v1/export", { token: read.token })).status).toBe(200);
    expect((await call("POST", "/api/v1/import", { token: read.token, body: database })).status).toBe(403);
  });

  it("refuses an import for a domain Facteur does not serve, and a body of the wrong shape", async () => {
    expect((await call("POST", "/api/v1/import?domain=unknown.example", { body: database })).status).toBe(422);
    const wrong = await call("POST", "/api/v1/import", { body: { users: "nope" } });
    expect(wrong.status).toBe(400);
    expect((await jsonOf(wrong)).type).toBe("urn:facteur:problem:validation");
  });
});
