/**
 * Properties of the envelope-sender encodings that bounces come back through:
 * SRS (src/mail/srs.ts: srsForward / srsReverse) and list VERP (src/mail/minted-address.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeVerp,
  isSrsAddress,
  MAX_AGE_DAYS,
  srsForward,
  srsReverse,
  verpAddress,
} from "../../src/mail/minted-address";
import { address, domain, localPart } from "./arbitraries";

const DAY = 86_400_000;
const secret = fc.string({ minLength: 1, maxLength: 40 });
/** Any instant in a 30-year range: the 1024-day stamp wraps several times. */
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2050, 0, 1) });
/** Local parts that contain SRS's own separators, which the decoder must not confuse. */
const trickyLocal = fc.oneof(
  localPart,
  localPart.map((l) => `${l}=x`),
  localPart.map((l) => `a-${l}+b`),
  fc.constant("SRS0x"),
);
const RUNS = { numRuns: 300 };

describe("SRS (libsrs2 guarded scheme)", () => {
  it("reverses what it forwarded, to the original sender, within MAX_AGE_DAYS", async () => {
    await fc.assert(
      fc.asyncProperty(
        trickyLocal,
        domain,
        domain,
        secret,
        instant,
        fc.integer({ min: 0, max: MAX_AGE_DAYS }),
        async (local, host, forwarder, key, now, ageDays) => {
          fc.pre(host.toLowerCase() !== forwarder.toLowerCase());
          const sender = `${local}@${host}`;
          const rewritten = await srsForward(sender, forwarder, key, now);
          // A local part over 64 octets leaves with the null sender instead (srs.ts MAX_LOCAL_PART).
          fc.pre(rewritten !== "");
          expect(isSrsAddress(rewritten)).toBe(true);
          expect(rewritten.endsWith(`@${forwarder}`)).toBe(true);
          expect(await srsReverse(rewritten, key, now + ageDays * DAY)).toEqual({ ok: true, original: sender });
        },
      ),
      RUNS,
    );
  });

  it("survives an MTA changing the case of the address", async () => {
    await fc.assert(
      fc.asyncProperty(address, domain, secret, instant, async (sender, forwarder, key, now) => {
        fc.pre(!sender.toLowerCase().endsWith(`@${forwarder.toLowerCase()}`));
        const rewritten = await srsForward(sender, forwarder, key, now);
        // A local part over 64 octets leaves with the null sender instead (srs.ts MAX_LOCAL_PART).
        fc.pre(rewritten !== "");
        const reversed = await srsReverse(rewritten.toUpperCase(), key, now);
        expect(reversed.ok).toBe(true);
        if (reversed.ok) expect(reversed.original.toLowerCase()).toBe(sender.toLowerCase());
      }),
      RUNS,
    );
  });

  it("refuses an address signed with another secret, or too old", async () => {
    await fc.assert(
      fc.asyncProperty(address, domain, secret, secret, instant, async (sender, forwarder, key, other, now) => {
        fc.pre(
          key.toLowerCase() !== other.toLowerCase() && !sender.toLowerCase().endsWith(`@${forwarder.toLowerCase()}`),
        );
        const rewritten = await srsForward(sender, forwarder, key, now);
        // A local part over 64 octets leaves with the null sender instead (srs.ts MAX_LOCAL_PART).
        fc.pre(rewritten !== "");
        expect(await srsReverse(rewritten, other, now)).toEqual({ ok: false, reason: "forged" });
        expect(await srsReverse(rewritten, key, now + (MAX_AGE_DAYS + 2) * DAY)).toEqual({
          ok: false,
          reason: "expired",
        });
      }),
      RUNS,
    );
  });

  it("refuses any change to the hash", async () => {
    await fc.assert(
      fc.asyncProperty(
        address,
        domain,
        secret,
        instant,
        fc.nat(3),
        fc.constantFrom("A", "b", "9", "/"),
        async (sender, forwarder, key, now, at, replacement) => {
          fc.pre(!sender.toLowerCase().endsWith(`@${forwarder.toLowerCase()}`));
          const rewritten = await srsForward(sender, forwarder, key, now);
          // A local part over 64 octets leaves with the null sender instead (srs.ts MAX_LOCAL_PART).
          fc.pre(rewritten !== "");
          const hashStart = 5;
          const original = rewritten[hashStart + at] ?? "";
          fc.pre(original.toLowerCase() !== replacement.toLowerCase());
          const tampered = rewritten.slice(0, hashStart + at) + replacement + rewritten.slice(hashStart + at + 1);
          expect((await srsReverse(tampered, key, now)).ok).toBe(false);
        },
      ),
      RUNS,
    );
  });

  it("chains through a second forwarder (SRS1) back to the first forwarder's SRS0, then to the sender", async () => {
    await fc.assert(
      fc.asyncProperty(
        address,
        domain,
        domain,
        secret,
        secret,
        instant,
        async (sender, first, second, key1, key2, now) => {
          fc.pre(new Set([sender.split("@")[1]?.toLowerCase(), first.toLowerCase(), second.toLowerCase()]).size === 3);
          const srs0 = await srsForward(sender, first, key1, now);
          // A local part over 64 octets leaves with the null sender instead (srs.ts MAX_LOCAL_PART).
          fc.pre(srs0 !== "");
          const srs1 = await srsForward(srs0, second, key2, now);
          // A local part over 64 octets leaves with the null sender instead (srs.ts MAX_LOCAL_PART).
          fc.pre(srs1 !== "");
          expect(srs1.startsWith("SRS1=")).toBe(true);
          // A third hop keeps the first forwarder's host, so the address does not grow per hop.
          const third = await srsForward(srs1, "third.example", key2, now);
          // A local part over 64 octets leaves with the null sender instead (srs.ts MAX_LOCAL_PART).
          fc.pre(third !== "");
          expect(third.length - "third.example".length).toBe(srs1.length - second.length);
          const back = await srsReverse(srs1, key2, now);
          expect(back).toEqual({ ok: true, original: srs0 });
          expect(await srsReverse(srs0, key1, now)).toEqual({ ok: true, original: sender });
        },
      ),
      RUNS,
    );
  });

  it("leaves the null sender and a sender already in the forwarder's domain alone", async () => {
    await fc.assert(
      fc.asyncProperty(localPart, domain, secret, async (local, forwarder, key) => {
        expect(await srsForward("", forwarder, key)).toBe("");
        expect(await srsForward(`${local}@${forwarder}`, forwarder.toUpperCase(), key)).toBe(`${local}@${forwarder}`);
      }),
      RUNS,
    );
  });

  it("never throws on arbitrary input to the reverse path", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `SRS0=${s}@x.test`),
          fc.string().map((s) => `SRS1=${s}@x.test`),
        ),
        secret,
        async (input, key) => {
          const result = await srsReverse(input, key);
          expect(typeof result.ok).toBe("boolean");
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("list VERP (team-bounces+<key><tag>@domain)", () => {
  const hexKey = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 16, maxLength: 16 });
  const list = fc
    .tuple(localPart, domain)
    .map(([localPart, d]) => ({ localPart, domain: d.toLowerCase(), address: `${localPart}@${d.toLowerCase()}` }));

  it("decodes the member key from the token it wrote, in any case", () => {
    fc.assert(
      fc.property(secret, list, hexKey, fc.boolean(), (key, team, memberKey, upper) => {
        const verp = verpAddress(key, team, memberKey);
        expect(verp.startsWith(`${team.localPart}-bounces+`)).toBe(true);
        expect(verp.endsWith(`@${team.domain}`)).toBe(true);
        const token = verp.slice(verp.indexOf("+") + 1, verp.lastIndexOf("@"));
        expect(decodeVerp(key, team.address, upper ? token.toUpperCase() : token)).toBe(memberKey);
        // RFC 5321 section 4.5.3.1.1: the VERP part adds 31 octets to the list's local part.
        expect(verp.length - team.address.length).toBe("-bounces+".length + 22);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses a token for another list, another secret, or with any digit changed", () => {
    fc.assert(
      fc.property(secret, secret, list, list, hexKey, fc.nat(21), (key, other, team, otherTeam, memberKey, at) => {
        const verp = verpAddress(key, team, memberKey);
        const token = verp.slice(verp.indexOf("+") + 1, verp.lastIndexOf("@"));
        if (other !== key) expect(decodeVerp(other, team.address, token)).toBeNull();
        if (otherTeam.address.toLowerCase() !== team.address.toLowerCase())
          expect(decodeVerp(key, otherTeam.address, token)).toBeNull();
        const digit = token[at] === "0" ? "1" : "0";
        expect(decodeVerp(key, team.address, token.slice(0, at) + digit + token.slice(at + 1))).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary tokens", () => {
    fc.assert(
      fc.property(secret, fc.string(), (key, token) => {
        const decoded = decodeVerp(key, "team@lists.test", token);
        expect(decoded === null || /^[0-9a-f]{16}$/.test(decoded)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
