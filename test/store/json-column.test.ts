/** The tolerant JSON-array column: one bad row must not fail routing or the API. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { findAliasByAddress, insertAlias } from "../../src/store/aliases";
import { insertDomain } from "../../src/store/domains";
import { readJsonList, writeJsonList } from "../../src/store/json-column";

describe("readJsonList", () => {
  it("reads NULL as null and an array as its strings", () => {
    expect(readJsonList(null)).toBeNull();
    expect(readJsonList(undefined)).toBeNull();
    expect(readJsonList('["a@x.test","b@x.test"]')).toEqual(["a@x.test", "b@x.test"]);
    expect(readJsonList("[]")).toEqual([]);
  });

  it("reads corrupt values as an empty list, never throwing", () => {
    for (const value of ["", "not json", "{", '{"a":1}', '"a@x.test"', "42", "null"]) {
      expect(readJsonList(value), value).toEqual([]);
    }
  });

  it("keeps only the strings of a mixed array", () => {
    expect(readJsonList('["a", 1, null, {"b": 2}, ["c"], "d"]')).toEqual(["a", "d"]);
  });

  it("round-trips with writeJsonList; null and undefined write NULL", () => {
    const list = ["Ä@example.org", 'quote"d@example.org'];
    expect(readJsonList(writeJsonList(list))).toEqual(list);
    expect(writeJsonList([])).toBe("[]");
    expect(writeJsonList(null)).toBeNull();
    expect(writeJsonList(undefined)).toBeNull();
  });

  it("lets the store read a row whose JSON column was corrupted by hand", async () => {
    const domain = `json-${crypto.randomUUID().slice(0, 8)}.test`;
    const address = `corrupt@${domain}`;
    await insertDomain(env.DB, { name: domain }).run();
    await insertAlias(env.DB, { address, domain, destinations: ["a@example.org"] }).run();
    await env.DB.prepare("UPDATE aliases SET destinations = '{oops' WHERE address = ?1").bind(address).run();
    expect((await findAliasByAddress(env.DB, address))?.destinations).toEqual([]);
  });
});
