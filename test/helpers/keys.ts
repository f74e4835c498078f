/**
 * Test signing keys, generated at test time (no private key is committed) and published in a
 * declared DNS zone, so signed fixtures verify through the same resolver path as production.
 */
import "../../src/mailauth/crypto-compat";
import { generateKeyPairSync } from "node:crypto";
import { sealMessage } from "mailauth/lib/arc";
import { dkimSign } from "mailauth/lib/dkim/sign";
import type { Zone } from "../support/dns/zone";

export interface TestKey {
  domain: string;
  selector: string;
  privateKeyPem: string;
  /** The DKIM TXT record value (RFC 6376 section 3.6.1). */
  record: string;
}

const cache = new Map<string, TestKey>();

export function testKey(domain: string, selector = "s1"): TestKey {
  const id = `${selector}._domainkey.${domain}`;
  const existing = cache.get(id);
  if (existing) return existing;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key: TestKey = {
    domain,
    selector,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    record: `v=DKIM1; k=rsa; p=${(publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64")}`,
  };
  cache.set(id, key);
  return key;
}

export function publish(zone: Zone, key: TestKey): Zone {
  zone[`${key.selector}._domainkey.${key.domain}`] = { TXT: [key.record] };
  return zone;
}

export async function dkimSigned(message: string, key: TestKey): Promise<string> {
  const result = await dkimSign(message, {
    signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKeyPem }],
  } as unknown as Parameters<typeof dkimSign>[1]);
  if (result.errors.length) throw new Error(`signing failed: ${JSON.stringify(result.errors)}`);
  return result.signatures + message;
}

/** Seals `message` as an intermediary would (RFC 8617 section 5.1), with `authResults` in the AAR. */
export async function arcSealed(message: string, key: TestKey, authResults: string, cv: "none" | "pass" = "none") {
  const seal = await sealMessage(Buffer.from(message), {
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKeyPem,
    authResults,
    cv,
  } as unknown as Parameters<typeof sealMessage>[1]);
  return seal.toString() + message;
}
