/** The partial-UPDATE helper: only given columns change, null clears, undefined leaves alone. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { findDomainByName, insertDomain, updateDomain } from "../../src/store/domains";
import { assignments, checkColumn, flag, updateStatement } from "../../src/store/partial-update";

describe("assignments", () => {
  it("numbers the given columns in order and skips undefined ones", () => {
    expect(assignments({ a: 1, b: undefined, c: null, d: "x" })).toEqual({
      sql: "a = ?1, c = ?2, d = ?3",
      values: [1, null, "x"],
    });
    expect(assignments({ a: 1, b: 2 }, 4).sql).toBe("a = ?4, b = ?5");
    expect(assignments({ a: undefined })).toEqual({ sql: "", values: [] });
  });

  it("refuses anything but a plain identifier as a column name", () => {
    expect(() => assignments({ "a = 1; DROP TABLE domains; --": 1 })).toThrow(/not a column name/);
    expect(() => checkColumn("Name")).toThrow();
    expect(checkColumn("catch_all")).toBe("catch_all");
  });

  it("maps booleans to SQLite integers, keeping undefined", () => {
    expect([flag(true), flag(false), flag(undefined)]).toEqual([1, 0, undefined]);
  });
});

describe("updateStatement", () => {
  it("changes the given columns only, clears with null, and returns the row", async () => {
    const name = `partial-${crypto.randomUUID().slice(0, 8)}.test`;
    await insertDomain(env.DB, { name, catchAll: ["a@example.org"], relayUrl: "capture:" }, 1000).run();

    const row = await updateStatement(
      env.DB,
      "domains",
      { enabled: 0, catch_all: undefined, updated_at: 2000 },
      { name },
      { returning: true },
    ).first<{ enabled: number; catch_all: string; relay_url: string; updated_at: number; created_at: number }>();
    expect(row).toMatchObject({
      enabled: 0,
      catch_all: '["a@example.org"]',
      relay_url: "capture:",
      updated_at: 2000,
      created_at: 1000,
    });

    const cleared = await updateDomain(env.DB, name, { relayUrl: null }, 3000);
    expect(cleared).toMatchObject({ enabled: false, catchAll: ["a@example.org"], relayUrl: null, updatedAt: 3000 });
    expect(await findDomainByName(env.DB, name)).toEqual(cleared);
  });

  it("matches every WHERE column and touches no other row", async () => {
    const a = `where-a-${crypto.randomUUID().slice(0, 8)}.test`;
    const b = `where-b-${crypto.randomUUID().slice(0, 8)}.test`;
    await env.DB.batch([insertDomain(env.DB, { name: a }, 1), insertDomain(env.DB, { name: b }, 1)]);
    const result = await updateStatement(env.DB, "domains", { enabled: 0 }, { name: a, enabled: 1 }).run();
    expect(result.meta.changes).toBe(1);
    expect((await findDomainByName(env.DB, a))?.enabled).toBe(false);
    expect((await findDomainByName(env.DB, b))?.enabled).toBe(true);
    expect(await updateDomain(env.DB, `missing-${a}`, { enabled: true })).toBeNull();
  });

  it("refuses an update with no column or no WHERE column", () => {
    expect(() => updateStatement(env.DB, "domains", { enabled: undefined }, { name: "x" })).toThrow(/no column/);
    expect(() => updateStatement(env.DB, "domains", { enabled: 1 }, {})).toThrow(/no WHERE/);
  });
});
