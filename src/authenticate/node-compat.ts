/**
 * Why this module exists: mailauth runs inside workerd with `nodejs_compat`, except for one gap.
 * mailauth passes the signature algorithm name from the DKIM `a=` tag ("rsa-sha256", "rsa-sha1")
 * straight to `crypto.sign()` / `crypto.verify()`. Node's OpenSSL accepts those names as digest
 * aliases; workerd's `node:crypto` only knows plain digest names ("sha256") and throws, which
 * mailauth reports as a `neutral`/`temperror` result for every signature. Mapping the name before
 * calling through restores DKIM verify and sign and ARC verify and seal (RFC 6376 section 3.3,
 * RFC 8617 section 4.1.3 use the same algorithms).
 *
 * It is imported for its side effect by `authenticate/index.ts`, before any mailauth part.
 */
import crypto from "node:crypto";

const DIGEST_ALIASES: Record<string, string> = {
  "rsa-sha256": "sha256",
  "rsa-sha1": "sha1",
  "RSA-SHA256": "sha256",
  "RSA-SHA1": "sha1",
};

type SignFn = typeof crypto.sign;
type VerifyFn = typeof crypto.verify;

const patched = Symbol.for("facteur.node-compat");
const mutable = crypto as unknown as { sign: SignFn; verify: VerifyFn; [patched]?: boolean };

function mapAlgorithm(algorithm: string | null | undefined): string | null | undefined {
  return typeof algorithm === "string" ? (DIGEST_ALIASES[algorithm] ?? algorithm) : algorithm;
}

/**
 * mailauth hands crypto.verify() the public key as PEM text, so every DKIM/ARC signature check
 * parses the key again (about half the cost of an RSA-2048 verify). The parsed KeyObject is kept
 * per PEM text; the text is the key, so a rotated key is a new entry. Bounded, since a sender
 * chooses which keys are looked up.
 */
const MAX_KEY_OBJECTS = 500;
const keyObjects = new Map<string, crypto.KeyObject>();

function publicKeyObject(key: unknown): unknown {
  if (typeof key !== "string" || !key.startsWith("-----BEGIN PUBLIC KEY-----")) return key;
  let object = keyObjects.get(key);
  if (!object) {
    object = crypto.createPublicKey(key);
    if (keyObjects.size >= MAX_KEY_OBJECTS) keyObjects.delete(keyObjects.keys().next().value as string);
    keyObjects.set(key, object);
  }
  return object;
}

if (!mutable[patched]) {
  const originalSign = crypto.sign.bind(crypto) as (...args: unknown[]) => Buffer;
  const originalVerify = crypto.verify.bind(crypto) as (...args: unknown[]) => boolean;
  mutable.sign = ((algorithm: string | null | undefined, ...rest: unknown[]) =>
    originalSign(mapAlgorithm(algorithm), ...rest)) as SignFn;
  mutable.verify = ((algorithm: string | null | undefined, data: unknown, key: unknown, ...rest: unknown[]) =>
    originalVerify(mapAlgorithm(algorithm), data, publicKeyObject(key), ...rest)) as VerifyFn;
  mutable[patched] = true;
}

export const nodeCompatInstalled = true;
