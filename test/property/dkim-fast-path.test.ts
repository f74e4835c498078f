/**
 * src/mailauth/dkim-verify.ts skips mailauth's per-byte loops when they would change
 * nothing. These properties check "would change nothing" against mailauth's unmodified code, with
 * bodies built from the characters the loops care about (SP, HTAB, CR, LF) and random chunkings.
 */
import { Buffer } from "node:buffer";
import fc from "fast-check";
import { RelaxedHash } from "mailauth/lib/dkim/body/relaxed";
import { dkimVerify } from "mailauth/lib/dkim/verify";
import { describe, expect, it } from "vitest";
import { type DkimVerifyOptions, verifyDkim } from "../../src/mailauth";
import { relaxedUpdate } from "../../src/mailauth/dkim-verify";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { createZoneResolver } from "../support/dns/zone";

/** Text made of the bytes that matter to relaxed canonicalization, plus ordinary ones. */
const bodyText = fc
  .array(fc.constantFrom("a", "b", "=", " ", "  ", "\t", "\r\n", "\n", "\r", " \r\n", "\r\n\r\n", "--b\r\n", "é"), {
    maxLength: 200,
  })
  .map((parts) => parts.join(""));

/** Cut points splitting a buffer into chunks (as a stream would deliver it). */
const cuts = fc.array(fc.nat({ max: 2000 }), { maxLength: 6 });

function chunked(bytes: Buffer, points: number[]): Buffer[] {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of [...sorted, bytes.length]) {
    if (p > last) out.push(bytes.subarray(last, p));
    last = Math.max(last, p);
  }
  return out;
}

describe("relaxed body hash fast path (RFC 6376 section 3.4.4)", () => {
  it("hashes every body and chunking exactly as mailauth's RelaxedHash does", () => {
    fc.assert(
      fc.property(bodyText, cuts, fc.constantFrom<number | false>(false, 0, 5, 40), (text, points, limit) => {
        const bytes = Buffer.from(text);
        const reference = new RelaxedHash("sha256", limit);
        const fast = new RelaxedHash("sha256", limit);
        for (const chunk of chunked(bytes, points)) {
          reference.update(chunk);
          relaxedUpdate(fast, chunk);
        }
        expect(fast.byteLength).toBe(reference.byteLength);
        expect(fast.digest("base64")).toBe(reference.digest("base64"));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("verifyDkim", () => {
  const key = testKey("fast.test");
  const resolver = createZoneResolver(publish({}, key));

  it("gives mailauth's dkimVerify results for signed, then altered, messages", async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyText,
        fc.constantFrom("\r\n", "\n"),
        fc.constantFrom("none", "append", "spaces", "bare-lf", "header-only", "empty-header-crlf", "empty-header-lf"),
        async (body, eol, change) => {
          const message = `From: a@fast.test\r\nTo: b@example.test\r\nSubject: t\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${body}`;
          let signed = await dkimSigned(message, key);
          if (eol === "\n") signed = signed.replace(/\r\n/g, "\n");
          if (change === "append") signed += "tail";
          if (change === "spaces") signed = signed.replace(/a/g, "a  ");
          if (change === "bare-lf") signed = signed.replace(/\r\n(?=[^\r\n]*$)/, "\n");
          if (change === "header-only") signed = signed.slice(0, signed.indexOf("\r\n\r\n") + 2);
          // RFC 5322 section 2.1: a first empty line means an empty header section.
          if (change === "empty-header-crlf") signed = `\r\n${signed}`;
          if (change === "empty-header-lf") signed = `\n${signed}`;
          const input = Buffer.from(signed);
          const options: DkimVerifyOptions = { resolver, curTime: new Date("2026-11-25T09:00:00Z") };
          const expected = await dkimVerify(input, options as Parameters<typeof dkimVerify>[1]);
          const actual = await verifyDkim(input, options);
          expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
          expect(JSON.stringify((actual as { arc?: unknown }).arc)).toBe(
            JSON.stringify((expected as { arc?: unknown }).arc),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

const resultOf = (verified: Awaited<ReturnType<typeof dkimVerify>>) =>
  (verified.results[0] as { status?: { result?: string } } | undefined)?.status?.result;

describe("parsed keys kept across messages", () => {
  it("follows a key rotation at once: the record text, not the selector, identifies a parsed key", async () => {
    const zone = {};
    const first = testKey("rotate.test", "s1");
    const message = "From: a@rotate.test\r\nTo: b@example.test\r\nSubject: rotation\r\n\r\nbody\r\n";
    const signedFirst = Buffer.from(await dkimSigned(message, first));
    // A zone resolver reads its zone when it is made.
    const resolver = createZoneResolver(publish(zone, first));
    const before = await verifyDkim(signedFirst, { resolver });
    expect(resultOf(before)).toBe("pass");

    // A new key under the same selector: the old signature must fail, a new one must pass.
    const { generateKeyPairSync } = await import("node:crypto");
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const second = {
      ...first,
      privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
      record: `v=DKIM1; k=rsa; p=${(publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64")}`,
    };
    publish(zone, second);
    const rotatedResolver = createZoneResolver(zone);
    const after = await verifyDkim(signedFirst, { resolver: rotatedResolver });
    const reference = await dkimVerify(signedFirst, { resolver: rotatedResolver } as Parameters<typeof dkimVerify>[1]);
    expect(JSON.stringify(after)).toBe(JSON.stringify(reference));
    expect(resultOf(after)).not.toBe("pass");
    const signedSecond = Buffer.from(await dkimSigned(message, second));
    const fresh = await verifyDkim(signedSecond, { resolver: rotatedResolver });
    expect(resultOf(fresh)).toBe("pass");
  });
});
