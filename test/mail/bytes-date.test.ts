import { describe, expect, it } from "vitest";
import { concatBytes, fromBinaryString, toBinaryString } from "../../src/mail/bytes";
import { rfc5322Date } from "../../src/mail/date";

describe("concatBytes", () => {
  it("joins any number of parts, views included, into a new array", () => {
    const backing = new Uint8Array([9, 1, 2, 9]);
    const view = backing.subarray(1, 3);
    const out = concatBytes([new Uint8Array([0]), view, new Uint8Array(0), new Uint8Array([3, 4])]);
    expect([...out]).toEqual([0, 1, 2, 3, 4]);
    out[1] = 7;
    expect(backing[1]).toBe(1);
    expect(concatBytes([]).byteLength).toBe(0);
  });
});

describe("binary strings", () => {
  it("round-trip every byte value, also past the chunk size", () => {
    const bytes = new Uint8Array(70_000).map((_, i) => i % 256);
    const text = toBinaryString(bytes);
    expect(text.length).toBe(bytes.length);
    expect(text.charCodeAt(255)).toBe(255);
    expect(fromBinaryString(text)).toEqual(bytes);
  });
});

describe("rfc5322Date (RFC 5322 section 3.3)", () => {
  it("writes UTC with a numeric zone and a day without leading zero", () => {
    expect(rfc5322Date(new Date(Date.UTC(2026, 0, 5, 3, 4, 5)))).toBe("Mon, 5 Jan 2026 03:04:05 +0000");
    expect(rfc5322Date(new Date(Date.UTC(2026, 10, 25, 23, 59, 59)))).toBe("Wed, 25 Nov 2026 23:59:59 +0000");
  });

  it("is what Date.parse reads back", () => {
    const date = new Date(Date.UTC(2027, 6, 14, 12, 0, 1));
    expect(Date.parse(rfc5322Date(date))).toBe(date.getTime());
  });
});
