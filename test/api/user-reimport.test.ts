/**
 * Issue 10 item 12 (invocation budgets): re-importing a users file (PTT format, clear-text
 * passwords) ran PBKDF2 (100,000 iterations) again for every user, although nothing changed. Now
 * a user whose password and stored hash are those of the last import costs no PBKDF2 run; a
 * changed password, or a hash changed since through the API, is still verified and re-hashed.
 * Driven through fetch() (POST /api/v1/import); PBKDF2 runs are counted at crypto.subtle.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyPassword } from "../../src/credentials/password";
import { call, ok } from "./helpers";

interface Report {
  created: { users: number };
  updated: { users: number };
  unchanged: { users: number };
  errors: unknown[];
}

/** Counts PBKDF2 derivations from now on. */
function pbkdf2Runs() {
  const spy = vi.spyOn(crypto.subtle, "deriveBits");
  const count = () => spy.mock.calls.filter(([algorithm]) => (algorithm as { name: string }).name === "PBKDF2").length;
  const before = count();
  return () => count() - before;
}

const users = (suffix: string, passwords: string[]) =>
  passwords.map((password, i) => ({ name: `u${i}${suffix}`, password, mailboxes: [`u${i}${suffix}@example.net`] }));

async function importUsers(body: unknown): Promise<Report> {
  return ok<Report>(await call("POST", "/api/v1/import", { body }));
}

async function hashOf(name: string): Promise<string | null> {
  const row = await env.DB.prepare("SELECT password_hash FROM users WHERE name = ?").bind(name).first<{
    password_hash: string | null;
  }>();
  return row?.password_hash ?? null;
}

afterEach(() => vi.restoreAllMocks());

describe("re-importing users (issue 10 item 12)", () => {
  it("re-importing the same users file does not run PBKDF2 again for users whose password did not change", async () => {
    const passwords = Array.from({ length: 10 }, (_, i) => `password number ${i} long enough`);
    const first = await importUsers(users("a", passwords));
    expect(first.created.users).toBe(10);

    const runs = pbkdf2Runs();
    const again = await importUsers(users("a", passwords));
    expect(again.unchanged.users).toBe(10);
    expect(runs()).toBe(0);
  });

  it("a changed password, or a hash changed since through the API, is still checked with PBKDF2 and re-hashed", async () => {
    const passwords = Array.from({ length: 4 }, (_, i) => `secret ${i} for the b users`);
    await importUsers(users("b", passwords));
    // u1b changes its password through the API: the file's password no longer matches the hash.
    await ok(await call("PATCH", "/api/v1/users/u1b", { body: { password: "a password set via the API" } }));
    const changed = [...passwords];
    changed[2] = "a new password for u2b";

    const runs = pbkdf2Runs();
    const report = await importUsers(users("b", changed));
    expect(report.unchanged.users).toBe(2);
    expect(report.updated.users).toBe(2);
    // u1b: verify (fails) + hash; u2b: verify (fails) + hash; u0b and u3b: none.
    expect(runs()).toBe(4);
    expect(await verifyPassword(passwords[1]!, await hashOf("u1b"))).toBe(true);
    expect(await verifyPassword("a new password for u2b", await hashOf("u2b"))).toBe(true);

    // And the next import of that file is free again.
    const runsAfter = pbkdf2Runs();
    expect((await importUsers(users("b", changed))).unchanged.users).toBe(4);
    const rows = await env.DB.prepare(
      "SELECT user_name FROM password_import_fingerprints WHERE user_name LIKE 'u%b'",
    ).all();
    expect(rows.results).toHaveLength(4);
    expect(runsAfter()).toBe(0);
  });
});
