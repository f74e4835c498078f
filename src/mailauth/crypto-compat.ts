/**
 * The workerd `node:crypto` compat mailauth needs, installed once when the fence's entry
 * (src/mailauth/index.ts) loads. mailauth reads `crypto.sign`, `crypto.verify` and
 * `crypto.createPrivateKey` off the module object at call time, so installing them here, before
 * any fence function runs, is enough whatever the import order elsewhere.
 *
 * 1. Algorithm names. mailauth passes the signature algorithm name from the DKIM `a=` tag
 *    ("rsa-sha256", "rsa-sha1") straight to `crypto.sign()` / `crypto.verify()`. Node's OpenSSL
 *    accepts those names as digest aliases; workerd's `node:crypto` only knows plain digest names
 *    ("sha256") and throws, which mailauth reports as a `neutral`/`temperror` result for every
 *    signature. Mapping the name before calling through restores DKIM verify and sign and ARC
 *    verify and seal (RFC 6376 section 3.3, RFC 8617 section 4.1.3 use the same algorithms).
 * 2. Parsed keys. mailauth hands the keys over as PEM text, and in workerd parsing a key costs
 *    as much as the signature operation itself; both parses are memoised (below).
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
type CreatePrivateKeyFn = typeof crypto.createPrivateKey;

const installed = Symbol.for("facteur.mailauth-crypto-compat");
const mutable = crypto as unknown as {
  sign: SignFn;
  verify: VerifyFn;
  createPrivateKey: CreatePrivateKeyFn;
  [installed]?: boolean;
};

function mapAlgorithm(algorithm: string | null | undefined): string | null | undefined {
  return typeof algorithm === "string" ? (DIGEST_ALIASES[algorithm] ?? algorithm) : algorithm;
}

/** Drops the oldest entry once `limit` is reached (a Map iterates in insertion order). */
function remember<T>(cache: Map<string, T>, limit: number, key: string, value: T): T {
  if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

/**
 * mailauth hands crypto.verify() the public key as PEM text, so every DKIM/ARC signature check
 * parses the key again (about half the cost of an RSA-2048 verify). The parsed KeyObject is kept
 * per PEM text; the text is the key, so a rotated key is a new entry. Bounded, since a sender
 * chooses which keys are looked up.
 */
const MAX_PUBLIC_KEY_OBJECTS = 500;
const publicKeys = new Map<string, crypto.KeyObject>();

function publicKeyObject(key: unknown): unknown {
  if (typeof key !== "string" || !key.startsWith("-----BEGIN PUBLIC KEY-----")) return key;
  return publicKeys.get(key) ?? remember(publicKeys, MAX_PUBLIC_KEY_OBJECTS, key, crypto.createPublicKey(key));
}

/**
 * mailauth's signer turns the private key PEM into a key object on every signature, and in
 * workerd that parse (2.2 ms measured) costs more than the RSA-2048 signature itself (1.6 ms).
 * workerd's createPrivateKey does not accept a KeyObject, so the parse is memoised instead: the
 * same PEM string always yields the same immutable key. Bounded: a fan-out page uses one key.
 */
const MAX_PRIVATE_KEY_OBJECTS = 8;
const privateKeys = new Map<string, crypto.KeyObject>();

function privateKeyPem(input: Parameters<CreatePrivateKeyFn>[0]): string | null {
  const material = typeof input === "object" && input !== null && "key" in input ? input.key : null;
  const pem =
    typeof material === "string"
      ? material
      : material instanceof Uint8Array
        ? Buffer.from(material).toString("latin1")
        : null;
  return pem !== null && (input as { format?: string }).format === "pem" ? pem : null;
}

if (!mutable[installed]) {
  const originalSign = crypto.sign.bind(crypto) as (...args: unknown[]) => Buffer;
  const originalVerify = crypto.verify.bind(crypto) as (...args: unknown[]) => boolean;
  const originalCreatePrivateKey = crypto.createPrivateKey.bind(crypto);
  mutable.sign = ((algorithm: string | null | undefined, ...rest: unknown[]) =>
    originalSign(mapAlgorithm(algorithm), ...rest)) as SignFn;
  mutable.verify = ((algorithm: string | null | undefined, data: unknown, key: unknown, ...rest: unknown[]) =>
    originalVerify(mapAlgorithm(algorithm), data, publicKeyObject(key), ...rest)) as VerifyFn;
  mutable.createPrivateKey = ((input: Parameters<CreatePrivateKeyFn>[0]) => {
    const pem = privateKeyPem(input);
    if (pem === null) return originalCreatePrivateKey(input);
    return privateKeys.get(pem) ?? remember(privateKeys, MAX_PRIVATE_KEY_OBJECTS, pem, originalCreatePrivateKey(input));
  }) as CreatePrivateKeyFn;
  mutable[installed] = true;
}

export const cryptoCompatInstalled = true;
