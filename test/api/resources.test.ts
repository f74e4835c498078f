/**
 * CRUD round trips for each resource, pagination across pages, validation problems naming the
 * field, and domain-scoped tokens confined to their domain.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { insertDeliveries } from "../../src/store/deliveries";
import { insertMessageLog } from "../../src/store/messages";
import { call, createDomainFixture, createTokenFixture, jsonOf, ok } from "./helpers";

type Page<T = Record<string, unknown>> = { items: T[]; next_cursor: string | null };

/** Walks every page of a list route and returns all items, checking page sizes. */
async function walk(path: string, limit: number, token?: string): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page: Page = await ok<Page>(await call("GET", url, { token }));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.next_cursor) expect(page.items.length).toBe(limit);
    all.push(...page.items);
    cursor = page.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  return all;
}

async function logMessage(domain: string, rcpt: string, decision: "forwarded" | "rejected") {
  const id = newId();
  await insertMessageLog(env.DB, {
    id,
    receivedAt: Date.now(),
    mailFrom: "sender@example.org",
    rcptTo: rcpt,
    domain,
    messageId: `<${id}@example.org>`,
    subject: "s",
    fromHeader: "sender@example.org",
    size: 100,
    auth: null,
    decision,
    rule: "alias",
    smtpReply: null,
    reason: null,
    destinations: [],
  }).run();
  return id;
}

beforeAll(async () => {
  await createDomainFixture("one.example");
  await createDomainFixture("two.example");
  await ok(
    await call("POST", "/api/v1/users", {
      body: { name: "owner", password: "owner password", mailboxes: ["owner@gmail.com"] },
    }),
    201,
  );
});

describe("aliases", () => {
  it("round-trips create, read, update, delete with normalised addresses", async () => {
    const created = await ok<Record<string, unknown>>(
      await call("POST", "/api/v1/aliases", {
        body: { address: "Sales@ONE.example", destinations: ["Boss@Gmail.COM"], description: "Ventes — 販売" },
      }),
      201,
    );
    expect(created).toMatchObject({
      address: "Sales@one.example",
      domain: "one.example",
      destinations: ["Boss@gmail.com"],
      is_pattern: false,
    });
    // Lookup is case-insensitive on the whole address (RFC 5321 section 2.4 in practice).
    expect((await ok<{ address: string }>(await call("GET", "/api/v1/aliases/sales@one.example"))).address).toBe(
      "Sales@one.example",
    );
    const patched = await ok<Record<string, unknown>>(
      await call("PATCH", "/api/v1/aliases/Sales@one.example", {
        body: { destinations: null, owner: "owner", enabled: false },
      }),
    );
    expect(patched).toMatchObject({ destinations: null, owner: "owner", enabled: false });
    expect(
      (await call("POST", "/api/v1/aliases", { body: { address: "SALES@one.example", destinations: ["a@b.example"] } }))
        .status,
    ).toBe(409);
    await ok(await call("DELETE", "/api/v1/aliases/sales@one.example"));
    expect((await call("GET", "/api/v1/aliases/sales@one.example")).status).toBe(404);
  });

  it("accepts wildcard patterns and refuses aliases that deliver nowhere or to unknown domains/owners", async () => {
    const pattern = await ok<{ is_pattern: boolean }>(
      await call("POST", "/api/v1/aliases", {
        body: { address: "*-bills@one.example", destinations: ["acct@example.org"] },
      }),
      201,
    );
    expect(pattern.is_pattern).toBe(true);
    const nowhere = await call("POST", "/api/v1/aliases", { body: { address: "x@one.example" } });
    expect(nowhere.status).toBe(422);
    expect((await jsonOf(nowhere)).errors[0].field).toBe("destinations");
    const domain = await call("POST", "/api/v1/aliases", {
      body: { address: "x@nowhere.example", destinations: ["a@b.example"] },
    });
    expect((await jsonOf(domain)).errors[0].field).toBe("address");
    const owner = await call("POST", "/api/v1/aliases", { body: { address: "x@one.example", owner: "ghost" } });
    expect((await jsonOf(owner)).errors[0].field).toBe("owner");
  });

  it("refuses an alias on a mailing list's addresses (routing would never reach it)", async () => {
    await ok(await call("POST", "/api/v1/lists", { body: { address: "team@one.example", name: "Team" } }), 201);
    for (const address of ["team@one.example", "Team-Request@one.example", "team-bounces+x@one.example"]) {
      const res = await call("POST", "/api/v1/aliases", { body: { address, destinations: ["a@example.org"] } });
      expect(res.status, address).toBe(409);
    }
    await ok(
      await call("POST", "/api/v1/aliases", {
        body: { address: "teammate@one.example", destinations: ["a@example.org"] },
      }),
      201,
    );
  });

  it("names every bad field", async () => {
    const res = await call("POST", "/api/v1/aliases", {
      body: { address: "no-at-sign", destinations: ["ok@example.org", "bad address", 42], enabled: "yes" },
    });
    expect(res.status).toBe(400);
    const problem = await jsonOf(res);
    expect(problem.type).toBe("urn:facteur:problem:validation");
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      "address",
      "destinations.1",
      "destinations.2",
      "enabled",
    ]);
    expect(problem.errors.every((e: { in: string }) => e.in === "json")).toBe(true);
  });

  it("paginates across pages without gaps or repeats", async () => {
    for (let i = 0; i < 23; i++) {
      await ok(
        await call("POST", "/api/v1/aliases", {
          body: { address: `page${String(i).padStart(2, "0")}@two.example`, destinations: ["d@example.org"] },
        }),
        201,
      );
    }
    const all = await walk("/api/v1/aliases?domain=two.example", 5);
    expect(all.map((a) => a.address)).toEqual(
      Array.from({ length: 23 }, (_, i) => `page${String(i).padStart(2, "0")}@two.example`),
    );
    const bad = await call("GET", "/api/v1/aliases?cursor=%%%garbage");
    expect(bad.status).toBe(400);
    expect((await jsonOf(bad)).errors[0].field).toBe("cursor");
    const tooBig = await call("GET", "/api/v1/aliases?limit=201");
    expect((await jsonOf(tooBig)).errors[0]).toMatchObject({ field: "limit", in: "query" });
  });
});

describe("domain-scoped tokens", () => {
  it("see and change only their own domain", async () => {
    const { token } = await createTokenFixture(["domain:one.example"]);
    await ok(
      await call("POST", "/api/v1/aliases", {
        body: { address: "mine@one.example", destinations: ["m@example.org"] },
        token,
      }),
      201,
    );
    expect(
      (
        await call("POST", "/api/v1/aliases", {
          body: { address: "theirs@two.example", destinations: ["m@example.org"] },
          token,
        })
      ).status,
    ).toBe(403);
    expect(
      (await call("PATCH", "/api/v1/aliases/page00@two.example", { body: { enabled: false }, token })).status,
    ).toBe(403);
    expect((await call("DELETE", "/api/v1/aliases/page00@two.example", { token })).status).toBe(403);
    expect((await call("GET", "/api/v1/aliases/page00@two.example", { token })).status).toBe(403);
    expect((await call("GET", "/api/v1/aliases?domain=two.example", { token })).status).toBe(403);
    const listed = await walk("/api/v1/aliases", 50, token);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((a) => a.domain === "one.example")).toBe(true);
    const domains = await ok<Page<{ name: string }>>(await call("GET", "/api/v1/domains", { token }));
    expect(domains.items.map((d) => d.name)).toEqual(["one.example"]);
    expect((await call("GET", "/api/v1/domains/two.example", { token })).status).toBe(403);
    expect(
      (await call("PATCH", "/api/v1/domains/one.example", { body: { catch_all: ["c@example.org"] }, token })).status,
    ).toBe(200);
    expect((await call("GET", "/api/v1/domains/two.example/dkim", { token })).status).toBe(403);

    await logMessage("one.example", "a@one.example", "forwarded");
    await logMessage("two.example", "b@two.example", "rejected");
    const logs = await ok<Page<{ domain: string }>>(await call("GET", "/api/v1/messages", { token }));
    expect(logs.items.length).toBeGreaterThan(0);
    expect(logs.items.every((m) => m.domain === "one.example")).toBe(true);
  });
});

describe("messages and deliveries logs", () => {
  it("filter by rcpt and decision and paginate newest first", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push(await logMessage("two.example", "Log@two.example", i % 2 ? "rejected" : "forwarded"));
    const all = await walk("/api/v1/messages?rcpt=log@two.example", 3);
    expect(all.map((m) => m.id)).toEqual([...ids].reverse());
    const rejected = await ok<Page<{ decision: string }>>(
      await call("GET", "/api/v1/messages?rcpt=log@two.example&decision=rejected"),
    );
    expect(rejected.items).toHaveLength(3);
    expect((await call("GET", "/api/v1/messages?decision=maybe")).status).toBe(400);
  });

  it("lists deliveries by message and status; a domain token sees its domain's only", async () => {
    const message = await logMessage("two.example", "x@two.example", "forwarded");
    await insertDeliveries(
      env.DB,
      { messageLogId: message, origin: "alias", r2Key: `mail/${message}.eml`, domain: "two.example" },
      [
        { rcpt: "d1@example.org", mailFrom: "s@example.org" },
        { rcpt: "d2@example.org", mailFrom: "s@example.org" },
        { rcpt: "d3@example.org", mailFrom: "s@example.org" },
      ],
    );
    const all = await walk(`/api/v1/deliveries?message=${message}`, 2);
    expect(all.map((d) => d.rcpt).sort()).toEqual(["d1@example.org", "d2@example.org", "d3@example.org"]);
    const queued = await ok<Page>(await call("GET", `/api/v1/deliveries?message=${message}&status=queued`));
    expect(queued.items).toHaveLength(3);
    const { token } = await createTokenFixture(["domain:one.example"]);
    expect((await ok<Page>(await call("GET", `/api/v1/deliveries?message=${message}`, { token }))).items).toEqual([]);
  });
});

describe("users", () => {
  it("round-trips and never returns a password or hash", async () => {
    const created = await call("POST", "/api/v1/users", {
      body: { name: "erin", password: "erin's password", mailboxes: ["Erin@Example.ORG"] },
    });
    const text = await created.clone().text();
    expect(created.status).toBe(201);
    expect(text).not.toMatch(/pbkdf2|erin's password/);
    expect(await jsonOf(created)).toMatchObject({
      name: "erin",
      has_password: true,
      mailboxes: ["Erin@example.org"],
      is_admin: false,
    });
    await ok(
      await call("PATCH", "/api/v1/users/erin", {
        body: { mailboxes: ["a@example.org", "b@example.org"], is_admin: true },
      }),
    );
    expect((await ok<{ mailboxes: string[] }>(await call("GET", "/api/v1/users/erin"))).mailboxes).toEqual([
      "a@example.org",
      "b@example.org",
    ]);
    const short = await call("PATCH", "/api/v1/users/erin", { body: { password: "short" } });
    expect((await jsonOf(short)).errors[0].field).toBe("password");
    // An admin user's password opens the admin API (DESIGN.md: users have an admin flag).
    const asErin = await call("GET", "/api/v1/users", {
      token: null,
      headers: { authorization: `Basic ${btoa("erin:erin's password")}` },
    });
    expect(asErin.status).toBe(200);
    await ok(await call("DELETE", "/api/v1/users/erin"));
    expect((await call("GET", "/api/v1/users/erin")).status).toBe(404);
    expect((await call("POST", "/api/v1/users", { body: { name: "owner" } })).status).toBe(409);
  });

  it("refuses to delete a user whose mailboxes still receive an alias, so no mail goes nowhere", async () => {
    await ok(await call("POST", "/api/v1/users", { body: { name: "frank", mailboxes: ["frank@example.org"] } }), 201);
    await ok(await call("POST", "/api/v1/aliases", { body: { address: "frank@one.example", owner: "frank" } }), 201);
    const refused = await call("DELETE", "/api/v1/users/frank");
    expect(refused.status).toBe(409);
    expect((await jsonOf(refused)).detail).toContain("frank@one.example");
    await ok(
      await call("PATCH", "/api/v1/aliases/frank@one.example", { body: { destinations: ["desk@example.org"] } }),
    );
    await ok(await call("DELETE", "/api/v1/users/frank"));
    expect(
      (await ok<{ owner: string | null }>(await call("GET", "/api/v1/aliases/frank@one.example"))).owner,
    ).toBeNull();
  });

  it("paginates", async () => {
    for (let i = 0; i < 6; i++) await ok(await call("POST", "/api/v1/users", { body: { name: `u${i}` } }), 201);
    const all = await walk("/api/v1/users", 4);
    expect(all.map((u) => u.name).filter((n) => String(n).startsWith("u"))).toEqual([
      "u0",
      "u1",
      "u2",
      "u3",
      "u4",
      "u5",
    ]);
  });
});

describe("tokens", () => {
  it("are shown once, stored hashed, record last use, and can be revoked", async () => {
    const created = await ok<{ id: string; token: string; scopes: string[] }>(
      await call("POST", "/api/v1/tokens", { body: { name: "ci", scopes: ["read", "domain:ONE.example", "read"] } }),
      201,
    );
    expect(created.token).toMatch(/^fct_/);
    expect(created.scopes).toEqual(["read", "domain:one.example"]);
    const row = await env.DB.prepare("SELECT token_hash FROM api_tokens WHERE id = ?1")
      .bind(created.id)
      .first<{ token_hash: string }>();
    expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.token_hash).not.toContain(created.token);
    await ok(await call("GET", "/api/v1/domains", { token: created.token }));
    const listed = await ok<Page<{ id: string; last_used_at: string | null; token?: string }>>(
      await call("GET", "/api/v1/tokens?limit=200"),
    );
    const mine = listed.items.find((t) => t.id === created.id);
    expect(mine?.last_used_at).not.toBeNull();
    expect(mine && "token" in mine).toBe(false);
    const revoked = await ok<{ revoked_at: string | null }>(await call("DELETE", `/api/v1/tokens/${created.id}`));
    expect(revoked.revoked_at).not.toBeNull();
    expect((await call("GET", "/api/v1/domains", { token: created.token })).status).toBe(401);
    expect((await call("DELETE", `/api/v1/tokens/${"f".repeat(28)}`)).status).toBe(404);
  });

  it("validate scopes by index and refuse unknown domains or users", async () => {
    const bad = await call("POST", "/api/v1/tokens", { body: { name: "x", scopes: ["admin", "root", "domain:"] } });
    expect((await jsonOf(bad)).errors.map((e: { field: string }) => e.field)).toEqual(["scopes.1", "scopes.2"]);
    const unknown = await call("POST", "/api/v1/tokens", { body: { name: "x", scopes: ["domain:nope.example"] } });
    expect((await jsonOf(unknown)).errors[0].field).toBe("scopes.0");
    expect((await call("POST", "/api/v1/tokens", { body: { name: "x", scopes: [] } })).status).toBe(422);
    expect((await call("POST", "/api/v1/tokens", { body: { name: "x", user: "ghost" } })).status).toBe(422);
  });
});

describe("destinations and suppressions", () => {
  it("destinations round-trip and filter by verified", async () => {
    await ok(await call("POST", "/api/v1/destinations", { body: { address: "Verified@Gmail.com" } }), 201);
    await ok(
      await call("POST", "/api/v1/destinations", { body: { address: "pending@example.org", verified: false } }),
      201,
    );
    expect((await call("POST", "/api/v1/destinations", { body: { address: "verified@gmail.com" } })).status).toBe(409);
    const verified = await ok<Page<{ address: string }>>(await call("GET", "/api/v1/destinations?verified=true"));
    expect(verified.items.map((d) => d.address)).toContain("verified@gmail.com");
    expect(verified.items.map((d) => d.address)).not.toContain("pending@example.org");
    expect(
      (
        await ok<{ verified: boolean }>(
          await call("PATCH", "/api/v1/destinations/pending@example.org", { body: { verified: true } }),
        )
      ).verified,
    ).toBe(true);
    await ok(await call("DELETE", "/api/v1/destinations/pending@example.org"));
    expect((await call("DELETE", "/api/v1/destinations/pending@example.org")).status).toBe(404);
  });

  it("suppressions are idempotent and paginate", async () => {
    expect(
      (
        await call("POST", "/api/v1/suppressions", {
          body: { address: "Gone@Example.org", reason: "550 5.1.1", source: "bounce" },
        })
      ).status,
    ).toBe(201);
    expect((await call("POST", "/api/v1/suppressions", { body: { address: "gone@example.org" } })).status).toBe(200);
    for (let i = 0; i < 4; i++) await call("POST", "/api/v1/suppressions", { body: { address: `s${i}@example.org` } });
    const all = await walk("/api/v1/suppressions", 2);
    expect(all.map((s) => s.address)).toEqual([
      "gone@example.org",
      "s0@example.org",
      "s1@example.org",
      "s2@example.org",
      "s3@example.org",
    ]);
    const bounces = await ok<Page>(await call("GET", "/api/v1/suppressions?source=bounce"));
    expect(bounces.items).toHaveLength(1);
    await ok(await call("DELETE", "/api/v1/suppressions/GONE@example.org"));
    expect((await call("DELETE", "/api/v1/suppressions/gone@example.org")).status).toBe(404);
  });
});

describe("outbox", () => {
  it("is a 404 problem unless the capture relay is configured", async () => {
    expect((await call("GET", "/api/v1/outbox")).status).toBe(200);
    const res = await call("GET", "/api/v1/outbox", { env: { RELAY_URL: "smtps://u:p@smtp.example.net:465" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
