/**
 * The one pagination contract: store list functions take { limit, after } and return { rows, next };
 * api/ turns `next` into an opaque cursor and back.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, pageBody } from "../../src/api/pagination";
import { newId } from "../../src/core/ids";
import { insertDomain, listDomains } from "../../src/store/domains";
import { insertMessageLog, listMessages } from "../../src/store/messages";
import { type Page, pageOf } from "../../src/store/pagination";

describe("pageOf", () => {
  it("returns `limit` rows and the last one's key when the query found one more", () => {
    expect(pageOf([1, 2, 3, 4], 3, (n) => `k${n}`)).toEqual({ rows: [1, 2, 3], next: "k3" });
  });

  it("has no next key on the last page", () => {
    expect(pageOf([1, 2, 3], 3, String)).toEqual({ rows: [1, 2, 3], next: null });
    expect(pageOf([1], 3, String)).toEqual({ rows: [1], next: null });
    expect(pageOf([], 3, String)).toEqual({ rows: [], next: null });
  });
});

describe("cursors", () => {
  it("encode a key opaquely and decode it back", () => {
    for (const key of ["example.com", "0190abcdef0123456789abcdef01", "ünïcode@exämple.test"]) {
      const cursor = encodeCursor(key);
      expect(cursor).not.toContain(key);
      expect(decodeCursor(cursor)).toBe(key);
    }
    expect(decodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor("")).toBeUndefined();
  });

  it("refuse a cursor the API did not produce", () => {
    expect(() => decodeCursor("!!not-base64!!")).toThrow();
    expect(() => decodeCursor(`${encodeCursor("a")}=`)).toThrow();
  });

  it("make the response body from a store page", () => {
    const page: Page<{ id: string }> = { rows: [{ id: "a" }], next: "a" };
    expect(pageBody(page, (r) => r.id)).toEqual({ items: ["a"], next_cursor: encodeCursor("a") });
    expect(pageBody({ rows: [], next: null }, String)).toEqual({ items: [], next_cursor: null });
  });
});

/** Every row once, in order, following `next` into `after`. */
async function walk<T>(list: (after?: string) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await list(after);
    all.push(...page.rows);
    if (page.next === null) return all;
    after = page.next;
  }
  throw new Error("no last page");
}

describe("store listings", () => {
  it("walk ascending keys without gaps or repeats", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const names = Array.from({ length: 7 }, (_, i) => `p${i}-${tag}.test`);
    await env.DB.batch(names.map((name) => insertDomain(env.DB, { name })));
    const all = await walk((after) => listDomains(env.DB, { limit: 3, after, only: names }));
    expect(all.map((d) => d.name)).toEqual([...names].sort());
  });

  it("walk newest first, in creation order even within one millisecond", async () => {
    const rcpt = `page-${crypto.randomUUID().slice(0, 8)}@walk.test`;
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = newId(now);
      ids.push(id);
      await insertMessageLog(env.DB, {
        id,
        receivedAt: now,
        mailFrom: "s@example.org",
        rcptTo: rcpt,
        domain: "walk.test",
        messageId: null,
        subject: null,
        fromHeader: null,
        size: 1,
        auth: null,
        decision: "forwarded",
        rule: null,
        smtpReply: null,
        reason: null,
        destinations: [],
      }).run();
    }
    const all = await walk((after) => listMessages(env.DB, { rcpt, limit: 3, after }));
    expect(all.map((m) => m.id)).toEqual([...ids].reverse());
  });
});
