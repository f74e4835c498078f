import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HASH_LENGTH, isSrsAddress, MAX_AGE_DAYS, srsForward, srsReverse } from "../../src/mail/srs";

const SECRET = "test-srs-secret";
const NOW = Date.UTC(2026, 10, 25, 9, 0, 0);
const DAY = 86_400_000;

describe("srsForward", () => {
  it("writes SRS0=HHHH=TT=domain=local@forwarder", async () => {
    const srs = await srsForward("alice@example.org", "facteur.test", SECRET, NOW);
    expect(srs).toMatch(
      new RegExp(`^SRS0=[A-Za-z0-9+/]{${HASH_LENGTH}}=[A-Z2-7]{2}=example\\.org=alice@facteur\\.test$`),
    );
    expect(isSrsAddress(srs)).toBe(true);
    // Deterministic for the same day and secret; another secret gives another hash.
    expect(await srsForward("alice@example.org", "facteur.test", SECRET, NOW)).toBe(srs);
    expect(await srsForward("alice@example.org", "facteur.test", "other", NOW)).not.toBe(srs);
  });

  it("leaves the null sender, a domain-less sender and our own domain alone", async () => {
    expect(await srsForward("", "facteur.test", SECRET, NOW)).toBe("");
    expect(await srsForward("postmaster", "facteur.test", SECRET, NOW)).toBe("postmaster");
    expect(await srsForward("me@Facteur.test", "facteur.test", SECRET, NOW)).toBe("me@Facteur.test");
  });

  it("re-forwards SRS0 as SRS1 keeping the first forwarder, and SRS1 keeps it again", async () => {
    const srs0 = "SRS0=abcd=XY=example.org=alice@first.example";
    const srs1 = await srsForward(srs0, "facteur.test", SECRET, NOW);
    expect(srs1).toMatch(/^SRS1=[A-Z2-7]{10}=first\.example==abcd=XY=example\.org=alice@facteur\.test$/);
    expect(await srsReverse(srs1, SECRET, NOW)).toEqual({ ok: true, original: srs0 });
    const again = await srsForward(srs1.replace("@facteur.test", "@second.example"), "facteur.test", SECRET, NOW);
    expect(again).toMatch(/^SRS1=[A-Z2-7]{10}=first\.example==abcd=XY=example\.org=alice@facteur\.test$/);
    expect(await srsReverse(again, SECRET, NOW)).toEqual({ ok: true, original: srs0 });
  });

  it("refuses to sign with an empty secret", async () => {
    await expect(srsForward("a@example.org", "facteur.test", "", NOW)).rejects.toThrow(/SRS_SECRET/);
  });
});

describe("srsReverse", () => {
  it("round-trips any sender within the age limit (property)", async () => {
    const local = fc.stringMatching(/^[A-Za-z0-9._+=-]{1,30}$/).filter((s) => !/^srs[01][=+-]/i.test(s));
    const domain = fc.domain();
    await fc.assert(
      fc.asyncProperty(local, domain, fc.integer({ min: 0, max: MAX_AGE_DAYS }), async (l, d, ageDays) => {
        const sender = `${l}@${d}`;
        const srs = await srsForward(sender, "facteur.test", SECRET, NOW);
        expect(await srsReverse(srs, SECRET, NOW + ageDays * DAY)).toEqual({ ok: true, original: sender });
      }),
      { numRuns: 200 },
    );
  });

  it("accepts the address after an MTA changed its case (hash and stamp compare case-insensitively)", async () => {
    const srs = await srsForward("Alice@Example.org", "facteur.test", SECRET, NOW);
    const result = await srsReverse(srs.toLowerCase(), SECRET, NOW);
    expect(result).toEqual({ ok: true, original: "alice@example.org" });
  });

  it("rejects a forged hash, a changed address and a wrong secret", async () => {
    const srs = await srsForward("alice@example.org", "facteur.test", SECRET, NOW);
    const [, hash] = srs.split("=");
    const forgedHash = srs.replace(`=${hash}=`, `=${hash === "AAAA" ? "BBBB" : "AAAA"}=`);
    expect(await srsReverse(forgedHash, SECRET, NOW)).toEqual({ ok: false, reason: "forged" });
    expect(await srsReverse(srs.replace("=alice@", "=mallory@"), SECRET, NOW)).toEqual({ ok: false, reason: "forged" });
    expect(await srsReverse(srs.replace("example.org", "evil.example"), SECRET, NOW)).toEqual({
      ok: false,
      reason: "forged",
    });
    expect(await srsReverse(srs, "another-secret", NOW)).toEqual({ ok: false, reason: "forged" });
    expect(await srsReverse("SRS1=AAAA=first.example==abcd=XY=example.org=alice@facteur.test", SECRET, NOW)).toEqual({
      ok: false,
      reason: "forged",
    });
  });

  it("rejects an expired address, and a forged one is forged even when old", async () => {
    const srs = await srsForward("alice@example.org", "facteur.test", SECRET, NOW);
    expect(await srsReverse(srs, SECRET, NOW + (MAX_AGE_DAYS + 1) * DAY)).toEqual({ ok: false, reason: "expired" });
    expect(await srsReverse(srs, SECRET, NOW + MAX_AGE_DAYS * DAY)).toMatchObject({ ok: true });
  });

  it("rejects malformed addresses", async () => {
    for (const address of [
      "alice@example.org",
      "SRS0=@facteur.test",
      "SRS0=abcd=XY=example.org@facteur.test",
      "SRS0=abcd=X!=example.org=alice@facteur.test",
      "SRS1=abcd=host@facteur.test",
      "no-at-sign",
    ]) {
      expect(await srsReverse(address, SECRET, NOW), address).toEqual({ ok: false, reason: "malformed" });
    }
  });
});
