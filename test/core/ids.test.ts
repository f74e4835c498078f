/** Ids sort by creation: the pagination cursors of every newest-first listing rely on it. */
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";

describe("newId", () => {
  it("sorts 1,000 ids made in a tight loop in creation order, all distinct", () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps creation order for ids made in the same millisecond", () => {
    const now = Date.now() + 60_000;
    const ids = Array.from({ length: 100 }, () => newId(now));
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => id.startsWith(now.toString(16).padStart(12, "0")))).toBe(true);
  });

  it("keeps creation order when the clock goes back", () => {
    const now = Date.now() + 120_000;
    const first = newId(now);
    const second = newId(now - 5_000);
    expect(second > first).toBe(true);
  });

  it("starts a new millisecond with the time and a random tail", () => {
    const now = Date.now() + 180_000;
    const a = newId(now);
    const b = newId(now + 1);
    expect(a).toMatch(/^[0-9a-f]{28}$/);
    expect(b.slice(0, 12)).toBe((now + 1).toString(16).padStart(12, "0"));
    expect(b > a).toBe(true);
  });
});
