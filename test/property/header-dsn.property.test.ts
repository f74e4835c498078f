/**
 * Properties of header folding and unfolding (RFC 5322 section 2.2.3: src/mail/header-section.ts
 * unfolds, src/mail/header-fields.ts foldItems folds) and of DSN parsing (RFC 3464:
 * src/bounce/dsn.ts builds, src/bounce/dsn-parse.ts reads).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildDsn } from "../../src/bounce/dsn";
import { parseDsn, parseFieldGroups } from "../../src/bounce/dsn-parse";
import { foldItems, headerValues } from "../../src/mail/header-fields";
import { MAX_HEADER_FIELDS, MAX_HEADER_SECTION_BYTES, parseHeaderSection } from "../../src/mail/header-section";
import { address } from "./arbitraries";

const encoder = new TextEncoder();
/** A field name: printable ASCII except ':' (RFC 5322 section 3.6.8 ftext). */
const fieldName = fc.string({ unit: fc.constantFrom(..."ABCabcxyz-_0189"), minLength: 1, maxLength: 20 });
/** Words of a field body: visible characters, single spaces between them. */
const word = fc.string({ unit: fc.constantFrom(...'abcXYZ019.,;<>@"()=?é'), minLength: 1, maxLength: 12 });
const words = fc.array(word, { minLength: 1, maxLength: 12 });

/** Folds `words` by turning some of the single spaces between them into CRLF + WSP. */
function fold(parts: string[], breaks: boolean[], wsp: string[]): string {
  return parts.map((p, i) => (i === 0 ? p : `${breaks[i] ? `\r\n${wsp[i] ?? " "}` : " "}${p}`)).join("");
}

describe("header unfolding (RFC 5322 section 2.2.3)", () => {
  it("unfolds every folded field to its one-line value, in order, with names lower-cased", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fieldName,
            words,
            fc.array(fc.boolean(), { maxLength: 12 }),
            fc.array(fc.constantFrom(" ", "\t"), { maxLength: 12 }),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        fc.constantFrom("\r\n", "\n"),
        (fields, eol) => {
          const section = fields
            .map(([name, parts, breaks, wsp]) => `${name}: ${fold(parts, breaks, wsp)}`)
            .join("\r\n");
          const raw = `${section}\r\n\r\nbody line\r\n`.replace(/\r\n/g, eol);
          const parsed = parseHeaderSection(encoder.encode(raw));
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          expect(parsed.fields.map((f) => f.name)).toEqual(fields.map(([name]) => name.toLowerCase()));
          // Unfolding removes the line break and keeps the white space that followed it.
          expect(parsed.fields.map((f) => f.value)).toEqual(
            fields.map(([, parts, breaks, wsp]) => fold(parts, breaks, wsp).replace(/\r\n/g, "").trim()),
          );
          expect(parsed.headerBytes).toBe(encoder.encode(`${section}\r\n\r\n`.replace(/\r\n/g, eol)).byteLength);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("reads back what foldItems folded, with no line over 78 characters unless an item alone is longer", () => {
    fc.assert(
      fc.property(fieldName, fc.array(address, { minLength: 1, maxLength: 25 }), (name, items) => {
        const value = foldItems(name, items);
        const line = `${name}: ${value}`;
        // Only an item that alone overflows a line may stick out: nothing folds inside an item,
        // and the first item stays on the field name's line.
        const longest = Math.max(...items.map((i) => i.length + 2));
        for (const [n, physical] of line.split("\r\n").entries()) {
          expect(physical.length).toBeLessThanOrEqual(Math.max(78, n === 0 ? name.length + 1 + longest : longest));
        }
        const parsed = parseHeaderSection(encoder.encode(`${line}\r\n\r\n`));
        expect(parsed.ok && headerValues(parsed.fields, name.toLowerCase())).toEqual([items.join(", ")]);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on arbitrary bytes, and keeps its limits", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4000 }), (bytes) => {
        const parsed = parseHeaderSection(bytes);
        if (!parsed.ok) return;
        expect(parsed.fields.length).toBeGreaterThan(0);
        expect(parsed.fields.length).toBeLessThanOrEqual(MAX_HEADER_FIELDS);
        expect(parsed.headerBytes).toBeLessThanOrEqual(Math.min(bytes.length, MAX_HEADER_SECTION_BYTES));
        for (const field of parsed.fields) expect(field.name).toBe(field.name.toLowerCase());
      }),
      { numRuns: 2000 },
    );
  });
});

describe("DSN (RFC 3464): what Facteur writes, Facteur reads back", () => {
  const status = fc
    .tuple(fc.constantFrom("4", "5"), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 999 }))
    .map(([a, b, c]) => `${a}.${b}.${c}`);
  const diagnostic = fc
    .string({ unit: fc.constantFrom(..."abc XYZ019<>@.:;()-\r\n"), maxLength: 80 })
    .map((d) => `550 ${d}`);
  const recipient = fc.record({
    finalRecipient: fc.oneof(
      address,
      address.map((a) => `ü${a}`),
    ),
    action: fc.constantFrom("failed", "delayed") as fc.Arbitrary<"failed" | "delayed">,
    status,
    diagnosticCode: diagnostic,
    remoteMta: fc.option(fc.constantFrom("mx.example.test", "smtp.relay.test"), { nil: undefined }),
  });

  it("round-trips every recipient's address, action, status and remote MTA, and the original Message-ID", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recipient, { minLength: 1, maxLength: 20 }), fc.uuid(), async (recipients, id) => {
        const raw = buildDsn({
          reportingMta: "mx.facteur.test",
          from: "mailer-daemon@facteur.test",
          to: "sender@example.test",
          arrivalDate: new Date("2026-11-25T09:00:00Z"),
          originalHeaders: `From: sender@example.test\r\nSubject: hello\r\nMessage-ID: <${id}@example.test>\r\n`,
          recipients,
          messageIdDomain: "facteur.test",
          now: new Date("2026-11-25T10:00:00Z"),
        });
        const parsed = await parseDsn(raw);
        expect(parsed).not.toBeNull();
        expect(parsed?.reportingMta).toBe("mx.facteur.test");
        expect(parsed?.originalMessageId).toBe(`<${id}@example.test>`);
        expect(parsed?.recipients.map((r) => [r.finalRecipient, r.action, r.status, r.remoteMta])).toEqual(
          recipients.map((r) => [r.finalRecipient, r.action, r.status, r.remoteMta]),
        );
        for (const [i, r] of (parsed?.recipients ?? []).entries()) {
          // Line breaks in a diagnostic are flattened to one line (RFC 3464 fields are single-line).
          expect(r.diagnosticCode).toBe(recipients[i]?.diagnosticCode.replace(/[\r\n]+/g, " ").trim());
        }
      }),
      { numRuns: 150 },
    );
  });

  it("parses field groups from arbitrary text without throwing, names lower-cased, first value winning", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."ab:;\r\n \tXY-"), maxLength: 400 }), (text) => {
        for (const group of parseFieldGroups(text)) {
          expect(group.size).toBeGreaterThan(0);
          for (const name of group.keys()) expect(name).toBe(name.toLowerCase());
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("returns null, not a guess, for a message with no delivery-status part", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (body) => {
        expect(
          await parseDsn(`From: a@b.test\r\nSubject: Out of office\r\nContent-Type: text/plain\r\n\r\n${body}`),
        ).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
