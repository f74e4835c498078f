import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/dns/decode-message";
import { MAX_NAME_OCTETS } from "../../src/dns/domain-name";
import { CLASS_IN, type DnsMessage, type DnsRecord, encodeQuery, WireFormatError } from "../../src/dns/wire";
import { encodeMessage, MAX_CHARACTER_STRING_OCTETS, splitCharacterStrings } from "../support/dns/encode-message";

const utf8 = new TextEncoder();
const octets = (text: string) => utf8.encode(text).length;

// Labels of letters, digits, hyphens and underscores (as in _dmarc, _domainkey), any case.
const labelChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
const label = fc.string({ unit: fc.constantFrom(...labelChars), minLength: 1, maxLength: 63 });
const name = fc
  .array(label, { minLength: 1, maxLength: 10 })
  .map((labels) => labels.join("."))
  .filter((text) => octets(text) + 2 <= MAX_NAME_OCTETS);

// Any Unicode text; a code point is at most 4 octets, so 63 of them fit a <character-string>.
const characterString = fc.string({ unit: "binary", maxLength: 63 });
const txtData = fc.array(characterString, { minLength: 1, maxLength: 6 });

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join("."));

const record: fc.Arbitrary<DnsRecord> = fc
  .oneof(
    fc.record({ name: name, type: fc.constant("TXT" as const), data: txtData }),
    fc.record({ name: name, type: fc.constant("A" as const), data: ipv4 }),
    fc.record({
      name: name,
      type: fc.constantFrom("CNAME" as const, "PTR" as const, "NS" as const),
      data: name,
    }),
    fc.record({
      name: name,
      type: fc.constant("MX" as const),
      data: fc.record({ exchange: name, priority: fc.nat(0xffff) }),
    }),
  )
  .chain((partial) => fc.nat(0x7fffffff).map((ttl) => ({ ...partial, class: CLASS_IN, ttl }) as DnsRecord));

describe("wire format properties", () => {
  it("a query for any valid name decodes to the same name and type", () => {
    fc.assert(
      fc.property(name, fc.constantFrom("A", "AAAA", "TXT", "MX", "PTR") as fc.Arbitrary<"A">, (text, type) => {
        const decoded = decodeMessage(encodeQuery(text, type));
        expect(decoded.questions).toEqual([{ name: text, type, class: CLASS_IN }]);
      }),
    );
  });

  it("a query is byte for byte the message the general encoder writes for it", () => {
    const types = fc.constantFrom("A", "AAAA", "TXT", "MX", "PTR", "SPF") as fc.Arbitrary<"A">;
    fc.assert(
      fc.property(name, types, fc.nat(0xffff), fc.boolean(), (text, type, id, edns) => {
        const message: DnsMessage = {
          id,
          flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 },
          questions: [{ name: text, type, class: CLASS_IN }],
          answers: [],
          authorities: [],
          additionals: edns ? [{ name: "", type: "OPT", class: 1232, ttl: 0, data: new Uint8Array() }] : [],
        };
        expect(encodeQuery(text, type, { id, edns })).toEqual(encodeMessage(message));
      }),
    );
  });

  it("TXT records of any Unicode text round-trip chunk by chunk", () => {
    fc.assert(
      fc.property(name, fc.array(txtData, { minLength: 1, maxLength: 4 }), (owner, records) => {
        const message: DnsMessage = {
          id: 1,
          flags: { qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, ad: false, cd: false, rcode: 0 },
          questions: [{ name: owner, type: "TXT", class: CLASS_IN }],
          answers: records.map((data) => ({ name: owner, type: "TXT", class: CLASS_IN, ttl: 60, data })),
          authorities: [],
          additionals: [],
        };
        expect(decodeMessage(encodeMessage(message))).toEqual(message);
      }),
    );
  });

  it("whole messages round-trip, compressed or not", () => {
    fc.assert(
      fc.property(
        name,
        fc.array(record, { maxLength: 8 }),
        fc.array(record, { maxLength: 3 }),
        fc.nat(0xffff),
        (owner, answers, authorities, id) => {
          const message: DnsMessage = {
            id,
            flags: { qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, ad: false, cd: false, rcode: 3 },
            questions: [{ name: owner, type: "MX", class: CLASS_IN }],
            answers,
            authorities,
            additionals: [],
          };
          const compressed = encodeMessage(message);
          const plain = encodeMessage(message, { compress: false });
          expect(compressed.length).toBeLessThanOrEqual(plain.length);
          expect(decodeMessage(compressed)).toEqual(message);
          expect(decodeMessage(plain)).toEqual(message);
        },
      ),
    );
  });

  it("splitCharacterStrings keeps the text and every chunk fits 255 octets", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 700 }), (text) => {
        const chunks = splitCharacterStrings(text);
        expect(chunks.join("")).toBe(text);
        for (const chunk of chunks) expect(octets(chunk)).toBeLessThanOrEqual(MAX_CHARACTER_STRING_OCTETS);
      }),
    );
  });

  it("any bytes either decode or fail with WireFormatError, and corrupted responses never hang", () => {
    const valid = encodeMessage({
      id: 9,
      flags: { qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, ad: false, cd: false, rcode: 0 },
      questions: [{ name: "selector._domainkey.example.com", type: "TXT", class: CLASS_IN }],
      answers: [
        { name: "selector._domainkey.example.com", type: "CNAME", class: 1, ttl: 5, data: "key.example.net" },
        { name: "key.example.net", type: "TXT", class: 1, ttl: 5, data: ["v=DKIM1; ", "p=abc"] },
        { name: "example.com", type: "MX", class: 1, ttl: 5, data: { exchange: "mx.example.com", priority: 1 } },
      ],
      authorities: [],
      additionals: [],
    });
    const decodeOrWireError = (bytes: Uint8Array) => {
      try {
        decodeMessage(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(WireFormatError);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), decodeOrWireError));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(255)), { minLength: 1, maxLength: 6 }),
        (edits) => {
          const corrupted = Uint8Array.from(valid);
          for (const [at, value] of edits) corrupted[at] = value;
          decodeOrWireError(corrupted);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
