// The streamed wire form of a message (DATA and BDAT) equals the one-shot transforms, whatever
// the block size and wherever a CR LF pair or a leading dot falls across a block boundary.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bdatSize, isWireReady, wireBlocks } from "../../src/deliver/relays/smtp/data-blocks";
import { dotStuff, hasEightBitBytes, normaliseLineEndings } from "../../src/deliver/relays/smtp/dot-stuff";

const enc = new TextEncoder();

function joined(blocks: Iterable<Uint8Array>): Uint8Array {
  const parts = [...blocks];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

describe("wire blocks", () => {
  const lineish = fc
    .array(fc.constantFrom(".", "\r", "\n", "\r\n", "a", "é", "..", " "), { maxLength: 80 })
    .map((parts) => enc.encode(parts.join("")));

  it("property: blocks joined = dotStuff (DATA) and = normaliseLineEndings (BDAT), any block size", () => {
    fc.assert(
      fc.property(
        fc.oneof(lineish, fc.uint8Array({ maxLength: 200 })),
        fc.integer({ min: 1, max: 17 }),
        (raw, size) => {
          expect(joined(wireBlocks(raw, true, size))).toEqual(dotStuff(raw));
          expect(joined(wireBlocks(raw, false, size))).toEqual(normaliseLineEndings(raw));
          expect(bdatSize(raw)).toBe(normaliseLineEndings(raw).length);
        },
      ),
      { numRuns: 800 },
    );
  });

  it("property: parts (header lines ending in a line break, then the message) = the joined bytes", () => {
    const headerLines = fc
      .array(fc.constantFrom("X-A: 1\r\n", "X-B: .\n", ".dot: x\r\n", "X-\u00e9: y\r\n"), {
        minLength: 1,
        maxLength: 4,
      })
      .map((lines) => enc.encode(lines.join("")));
    fc.assert(
      fc.property(headerLines, lineish, fc.integer({ min: 1, max: 9 }), (prefix, raw, size) => {
        const whole = new Uint8Array(prefix.length + raw.length);
        whole.set(prefix);
        whole.set(raw, prefix.length);
        expect(joined(wireBlocks([prefix, raw], true, size))).toEqual(dotStuff(whole));
        expect(joined(wireBlocks([prefix, raw], false, size))).toEqual(normaliseLineEndings(whole));
        expect(bdatSize([prefix, raw])).toBe(normaliseLineEndings(whole).length);
      }),
      { numRuns: 500 },
    );
  });

  it("canonical mail is sent as subarrays of the stored body: no copy", () => {
    const raw = enc.encode("Subject: x\r\n\r\nline\r\n".repeat(1000));
    expect(isWireReady(raw, true)).toBe(true);
    for (const block of wireBlocks(raw, false, 4096)) expect(block.buffer).toBe(raw.buffer);
    for (const block of wireBlocks(raw, true, 4096)) expect(block.buffer).toBe(raw.buffer);
    const dotted = enc.encode("Subject: x\r\n\r\n.dot\r\n");
    expect(isWireReady(dotted, false)).toBe(true);
    expect(isWireReady(dotted, true)).toBe(false);
    expect(isWireReady(enc.encode("a\nb\r\n"), false)).toBe(false);
    expect(isWireReady(enc.encode("a\r\nb"), false)).toBe(false);
  });
});

describe("8-bit scan", () => {
  it("property: the word-at-a-time scan agrees with a byte loop at every alignment", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(7), fc.nat(7), (bytes, from, cut) => {
        const view = bytes.subarray(Math.min(from, bytes.length), Math.max(from, bytes.length - cut));
        expect(hasEightBitBytes(view)).toBe(view.some((b) => b > 0x7f));
      }),
      { numRuns: 2000 },
    );
  });
});
