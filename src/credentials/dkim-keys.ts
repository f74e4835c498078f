/**
 * DKIM keys per domain (RFC 6376; ed25519 per RFC 8463): generation with WebCrypto, storage with
 * the private key encrypted (key-encryption.ts), the DNS records to publish, and the signing key
 * for other modules (`loadSigningKey`: the API's submission and the mailing lists sign with it).
 */
import { type DkimAlgorithm, type DkimKey, findSigningDkimKey, insertDkimKey } from "../store/dkim-keys";
import { toBase64 } from "./encoding";
import { decryptSecret, encryptSecret } from "./key-encryption";

export type KeyType = "rsa" | "ed25519";

/** RFC 8301 section 3.2: RSA keys of at least 1024 bits, 2048 recommended. */
export const RSA_MODULUS_BITS = 2048;

export interface SigningKey {
  selector: string;
  algorithm: DkimAlgorithm;
  privateKeyPem: string;
}

function pem(label: string, der: ArrayBuffer): string {
  const lines = toBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export async function generateKeyPair(
  type: KeyType,
): Promise<{ algorithm: DkimAlgorithm; publicKey: string; privateKeyPem: string }> {
  if (type === "ed25519") {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    // RFC 8463 section 4.2: p= is the base64 of the raw 32-byte public key, not a SPKI structure.
    const raw = (await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer;
    const pkcs8 = (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer;
    return { algorithm: "ed25519-sha256", publicKey: toBase64(raw), privateKeyPem: pem("PRIVATE KEY", pkcs8) };
  }
  const pair = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: RSA_MODULUS_BITS,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  // RFC 6376 section 3.6.1: for k=rsa, p= is the base64 of the SubjectPublicKeyInfo (DER).
  const spki = (await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer;
  const pkcs8 = (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer;
  return { algorithm: "rsa-sha256", publicKey: toBase64(spki), privateKeyPem: pem("PRIVATE KEY", pkcs8) };
}

/** Binds the ciphertext to its row: it cannot be copied to another domain or selector. */
function keyContext(domain: string, selector: string): string {
  return `dkim:${domain}:${selector}`;
}

/** A selector that sorts by date and does not collide: f20261125a1b2. */
export function defaultSelector(now = Date.now()): string {
  const date = new Date(now).toISOString().slice(0, 10).replace(/-/g, "");
  const random = new Uint8Array(2);
  crypto.getRandomValues(random);
  return `f${date}${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export async function createDkimKey(
  env: Pick<Env, "DB" | "KEY_ENCRYPTION_KEY">,
  input: { domain: string; selector: string; type: KeyType },
  now = Date.now(),
): Promise<DkimKey | null> {
  const pair = await generateKeyPair(input.type);
  const sealed = await encryptSecret(
    env.KEY_ENCRYPTION_KEY,
    pair.privateKeyPem,
    keyContext(input.domain, input.selector),
  );
  return insertDkimKey(env.DB, {
    domain: input.domain,
    selector: input.selector,
    algorithm: pair.algorithm,
    publicKey: pair.publicKey,
    privateKeyEnc: sealed,
    createdAt: now,
  });
}

/**
 * The key to sign the domain's mail with: the newest active one (rotation: a new key signs at
 * once, the old selector stays published until deleted, so mail in flight still verifies).
 * Null when the domain has no key. Throws when the key cannot be decrypted (wrong
 * KEY_ENCRYPTION_KEY): signing silently without a key would break DMARC for every message.
 */
export async function loadSigningKey(
  env: Pick<Env, "DB" | "KEY_ENCRYPTION_KEY">,
  domain: string,
): Promise<SigningKey | null> {
  const key = await findSigningDkimKey(env.DB, domain);
  if (!key) return null;
  const privateKeyPem = await decryptSecret(
    env.KEY_ENCRYPTION_KEY,
    key.privateKeyEnc,
    keyContext(key.domain, key.selector),
  );
  return { selector: key.selector, algorithm: key.algorithm, privateKeyPem };
}

export interface DnsRecord {
  type: "TXT" | "MX";
  name: string;
  content: string;
  priority?: number;
  purpose: string;
}

/** RFC 6376 section 3.6.1 key record. */
export function dkimTxt(key: Pick<DkimKey, "algorithm" | "publicKey">): string {
  return `v=DKIM1; k=${key.algorithm === "ed25519-sha256" ? "ed25519" : "rsa"}; p=${key.publicKey}`;
}

/**
 * Cloudflare Email Routing's MX hosts. Cloudflare writes these itself when Email Routing is enabled
 * (with priorities of its choosing); they are listed so a domain on another DNS host can match them.
 */
export const EMAIL_ROUTING_MX = ["route1.mx.cloudflare.net", "route2.mx.cloudflare.net", "route3.mx.cloudflare.net"];

/** Every record the domain should publish: MX, SPF, DMARC, and one DKIM TXT per selector. */
export function dnsRecordsFor(domain: string, keys: DkimKey[]): DnsRecord[] {
  return [
    ...EMAIL_ROUTING_MX.map((host, i) => ({
      type: "MX" as const,
      name: domain,
      content: host,
      priority: (i + 1) * 10,
      purpose: "Cloudflare Email Routing receives the domain's mail and hands it to Facteur's email() handler.",
    })),
    {
      type: "TXT",
      name: domain,
      // RFC 7208: Email Routing's forwarders. Add your relay's include: when mail goes out through one.
      content: "v=spf1 include:_spf.mx.cloudflare.net ~all",
      purpose: "SPF (RFC 7208): suggested; add the outbound relay's include: mechanism if it has one.",
    },
    {
      type: "TXT",
      name: `_dmarc.${domain}`,
      content: "v=DMARC1; p=none; adkim=r; aspf=r",
      purpose: "DMARC (RFC 7489): suggested start; raise p= to quarantine or reject once reports are clean.",
    },
    ...keys.map((key) => ({
      type: "TXT" as const,
      name: `${key.selector}._domainkey.${domain}`,
      content: dkimTxt(key),
      purpose: `DKIM (RFC 6376) public key for selector ${key.selector}${key.active ? "" : " (inactive)"}.`,
    })),
  ];
}
