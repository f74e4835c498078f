/**
 * Properties of src/address.ts: parsing and normalisation (RFC 5321 section 2.4: only the domain
 * is normalised), IDNA (RFC 5891), and RFC 5233 subaddressing split and join.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isValidLocalPart,
  lookupKey,
  MAX_DOMAIN,
  normalizeDomain,
  parseAddress,
  SUBADDRESSING_DOMAINS,
  splitSubaddress,
  withSubaddress,
} from "../../src/mail/address";
import { address, domain, label, localPart, tag } from "./arbitraries";

const RUNS = { numRuns: 1000 };

describe("parseAddress", () => {
  it("accepts every dot-atom address, lower-cases only the domain, and is idempotent", () => {
    fc.assert(
      fc.property(localPart, domain, (local, host) => {
        const parsed = parseAddress(`${local}@${host}`);
        expect(parsed).not.toBeNull();
        expect(parsed?.local).toBe(local);
        expect(parsed?.domain).toBe(host.toLowerCase());
        expect(parsed?.address).toBe(`${local}@${host.toLowerCase()}`);
        expect(parseAddress(parsed?.address ?? "")).toEqual(parsed);
      }),
      RUNS,
    );
  });

  it("tolerates surrounding white space and a trailing root dot on the domain", () => {
    fc.assert(
      fc.property(address, fc.constantFrom("", " ", "\t", "  "), (addr, ws) => {
        expect(parseAddress(`${ws}${addr}.${ws}`)).toEqual(parseAddress(addr));
      }),
      RUNS,
    );
  });

  it("never throws, and whatever it accepts is in normal form", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: "grapheme" }),
          address.map((a) => `${a}\u0000`),
        ),
        (input) => {
          const parsed = parseAddress(input);
          if (parsed === null) return;
          expect(parsed.address).toBe(`${parsed.local}@${parsed.domain}`);
          expect(isValidLocalPart(parsed.local)).toBe(true);
          expect(normalizeDomain(parsed.domain)).toBe(parsed.domain);
          // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL must never survive parsing
          expect(parsed.address).not.toMatch(/[\s\u0000]/);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("refuses local parts over 64 octets (RFC 5321 section 4.5.3.1.1), counting UTF-8 bytes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), domain, (n, host) => {
        const ascii = parseAddress(`${"a".repeat(n)}@${host}`);
        expect(ascii === null).toBe(n > 64);
        const utf8 = parseAddress(`${"é".repeat(n)}@${host}`);
        expect(utf8 === null).toBe(2 * n > 64);
      }),
    );
  });

  it("matches case-insensitively through lookupKey", () => {
    fc.assert(
      fc.property(address, (addr) => {
        expect(lookupKey(addr.toUpperCase())).toBe(lookupKey(addr));
      }),
      RUNS,
    );
  });
});

describe("normalizeDomain", () => {
  it("is idempotent and yields lower-case LDH labels within 253 octets", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          domain,
          fc.string(),
          fc.string({ unit: "grapheme", maxLength: 30 }).map((s) => `${s}.test`),
        ),
        (input) => {
          const normal = normalizeDomain(input);
          if (normal === null) return;
          expect(normalizeDomain(normal)).toBe(normal);
          expect(normal.length).toBeLessThanOrEqual(MAX_DOMAIN);
          expect(normal).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("maps a U-label and its A-label to the same name (IDNA, RFC 5891)", () => {
    fc.assert(
      fc.property(fc.constantFrom("bücher", "münchen", "пример", "例え", "ÉCOLE"), label, (unicode, rest) => {
        const fromUnicode = normalizeDomain(`${unicode}.${rest}.test`);
        expect(fromUnicode).toMatch(/^xn--/);
        expect(normalizeDomain(fromUnicode ?? "")).toBe(fromUnicode);
      }),
    );
  });
});

describe("subaddressing (RFC 5233)", () => {
  it("splits user+tag at the first '+' and joins back to the same local part", () => {
    fc.assert(
      fc.property(localPart, tag, (base, detail) => {
        const split = splitSubaddress(`${base}+${detail}`);
        expect(split).toEqual({ base, tag: detail });
        expect(`${split.base}+${split.tag}`).toBe(`${base}+${detail}`);
      }),
      RUNS,
    );
  });

  it("leaves a local part without a '+' (or starting with one) alone", () => {
    fc.assert(
      fc.property(localPart, (local) => {
        expect(splitSubaddress(local)).toEqual({ base: local, tag: null });
        expect(splitSubaddress(`+${local}`)).toEqual({ base: `+${local}`, tag: null });
      }),
      RUNS,
    );
  });

  it("carries a tag to providers known to honour it, and only there", () => {
    fc.assert(
      fc.property(
        localPart,
        tag,
        fc.constantFrom(...SUBADDRESSING_DOMAINS, "example.test", "corp.example"),
        (user, detail, host) => {
          const destination = `${user}@${host}`;
          const result = withSubaddress(destination, detail);
          if (!SUBADDRESSING_DOMAINS.has(host) || !isValidLocalPart(`${user}+${detail}`)) {
            expect(result).toBe(destination);
            return;
          }
          expect(result).toBe(`${user}+${detail}@${host}`);
          const parsed = parseAddress(result);
          expect(splitSubaddress(parsed?.local ?? "")).toEqual({ base: user, tag: detail });
        },
      ),
      RUNS,
    );
  });

  it("never stacks a second tag on a destination that already has one", () => {
    fc.assert(
      fc.property(localPart, tag, tag, (user, existing, detail) => {
        const destination = `${user}+${existing}@gmail.com`;
        expect(withSubaddress(destination, detail)).toBe(destination);
      }),
      RUNS,
    );
  });
});
