/**
 * The private parts of mailauth that src/mailauth/ builds on, checked by shape. mailauth ships no
 * types for them and may change them in any release; when one changes, this test names the member
 * instead of leaving a DKIM result that is silently different (test/property/ checks behaviour).
 */

import { Buffer } from "node:buffer";
import crypto from "node:crypto";
import { dkimBody } from "mailauth/lib/dkim/body";
import { RelaxedHash } from "mailauth/lib/dkim/body/relaxed";
import { DkimSigner } from "mailauth/lib/dkim/dkim-signer";
import { DkimVerifier } from "mailauth/lib/dkim/dkim-verifier";
import { getClientAddress, parseReceived } from "mailauth/lib/parse-received";
import { getPublicKey, parseHeaders, toALabel } from "mailauth/lib/tools";
import { describe, expect, it } from "vitest";
import "../../src/mailauth";

type Check = [member: string, expected: string, holds: () => boolean];

const isFunction = (value: unknown) => typeof value === "function";
const isGenerator = (value: unknown) =>
  isFunction(value) && (value as () => unknown).constructor.name === "GeneratorFunction";
const method = (proto: object, name: string) => isFunction((proto as Record<string, unknown>)[name]);

function verifier(): Record<string, unknown> {
  return new DkimVerifier({ resolver: async () => [] }) as unknown as Record<string, unknown>;
}

const CHECKS: Check[] = [
  // mailauth/dkim-verify.ts subclasses DkimVerifier and overrides three of its methods.
  ...["writeAsync", "finish", "processChunk", "emitHeaders", "nextChunk", "messageHeaders"].map(
    (name): Check => [
      `DkimVerifier.prototype.${name}`,
      "an (async) method",
      () => method(DkimVerifier.prototype, name),
    ],
  ),
  [
    "DkimVerifier.prototype.ensureLinebreaks",
    "a generator method",
    () => isGenerator(DkimVerifier.prototype.ensureLinebreaks),
  ],
  ["DkimVerifier#state", '"header" before any input', () => verifier().state === "header"],
  ["DkimVerifier#headerBytes", "0 before any input", () => verifier().headerBytes === 0],
  ["DkimVerifier#bodyHashes", "a Map of body hashers", () => verifier().bodyHashes instanceof Map],
  ["DkimVerifier#resolver", "the resolver option", () => isFunction(verifier().resolver)],
  [
    "DkimVerifier#keyCache",
    "an object with resolver and get(type, name, minBitLength, options)",
    () => {
      const cache = (verifier().keyCache ?? {}) as { resolver?: unknown; get?: unknown };
      return isFunction(cache.resolver) && isFunction(cache.get) && (cache.get as () => unknown).length === 4;
    },
  ],
  [
    "DkimVerifier#arc.keyCache",
    "a hidden property ARC validation reads its key cache from",
    () => {
      const descriptor = Object.getOwnPropertyDescriptor(verifier().arc, "keyCache");
      return descriptor !== undefined && !descriptor.enumerable && descriptor.writable === true;
    },
  ],
  ...(["headerFrom", "fromFields", "envelopeFrom", "results"] as const).map(
    (name): Check => [`DkimVerifier#${name}`, "a result field", () => name in verifier()],
  ),
  // relaxedUpdate (mailauth/dkim-verify.ts) drives RelaxedHash's internals directly.
  [
    "RelaxedHash#remainder",
    "false when nothing is pending",
    () => new RelaxedHash("sha256", false).remainder === false,
  ],
  ["RelaxedHash#byteLength", "0 before any input", () => new RelaxedHash("sha256", false).byteLength === 0],
  ...["update", "digest", "_pushBodyHash"].map(
    (name): Check => [`RelaxedHash.prototype.${name}`, "a method", () => method(RelaxedHash.prototype, name)],
  ),
  [
    "dkimBody(canonicalization, hashAlgo, maxBodyLength)",
    "a RelaxedHash for relaxed",
    // By name: under vitest the CommonJS module can be loaded twice, so instanceof is not reliable.
    () => (dkimBody("relaxed", "sha256", false) as object).constructor.name === RelaxedHash.name,
  ],
  // signWithBodyHash: a precomputed bodyHash and parsed headers, then finalize().
  ["DkimSigner.prototype.finalize", "a method", () => method(DkimSigner.prototype, "finalize")],
  [
    "DkimSigner#bodyHash, #headers, #signatureHeaders, #errors",
    "kept from the options, and empty arrays before finalize()",
    () => {
      const headers = parseHeaders(Buffer.from("From: a@b.test\r\n"));
      const signer = new DkimSigner({
        signatureData: [{ signingDomain: "b.test", selector: "s", privateKey: "" }],
        bodyHash: "bh",
        headers,
      }) as unknown as Record<string, unknown>;
      return (
        signer.bodyHash === "bh" &&
        signer.headers === headers &&
        Array.isArray(signer.signatureHeaders) &&
        Array.isArray(signer.errors)
      );
    },
  ],
  [
    "parseHeaders(buf)",
    "{ parsed: [{ key, casedKey, line: Buffer }], original }",
    () => {
      const buf = Buffer.from("Subject: a\r\n b\r\nFrom: x@y.test\r\n");
      const { parsed, original } = parseHeaders(buf);
      const first = parsed[0];
      return (
        original === buf &&
        parsed.length === 2 &&
        first?.key === "subject" &&
        first.casedKey === "Subject" &&
        Buffer.isBuffer(first.line) &&
        first.line.toString() === "Subject: a\r\n b"
      );
    },
  ],
  [
    "getPublicKey(type, name, minBitLength, resolver, options)",
    "an async function of 5 parameters",
    () => getPublicKey.length === 5,
  ],
  ["toALabel(domain)", "the A-label of a U-label domain", () => toALabel("bücher.example") === "xn--bcher-kva.example"],
  [
    "parseReceived(line), getClientAddress(from)",
    "the clauses, and the IP of the from clause",
    () => {
      const parsed = parseReceived(
        "Received: from h.test (h.test [192.0.2.1]) by mx.test with ESMTP; Wed, 25 Nov 2026 09:00:00 +0000",
      );
      return parsed.by?.value === "mx.test" && getClientAddress(parsed.from) === "192.0.2.1";
    },
  ],
  // crypto-compat.ts replaces these on the node:crypto module object, where mailauth reads them.
  [
    "node:crypto sign/verify with mailauth's algorithm names",
    'accepting "rsa-sha256" (crypto-compat installed)',
    () => {
      const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 });
      const data = Buffer.from("x");
      const signature = crypto.sign("rsa-sha256", data, privateKey);
      return crypto.verify("rsa-sha256", data, publicKey, signature);
    },
  ],
];

describe("mailauth internals the fence relies on", () => {
  it.each(CHECKS)("%s", (member, expected, holds) => {
    let ok: boolean;
    let error = "";
    try {
      ok = holds();
    } catch (caught) {
      ok = false;
      error = ` (threw ${String(caught)})`;
    }
    expect(ok, `mailauth changed ${member}: src/mailauth/ expects ${expected}${error}`).toBe(true);
  });
});
