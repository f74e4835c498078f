/**
 * DKIM-signs a submission with the From domain's key (RFC 6376), relaxed/relaxed. mailauth signs;
 * node-compat must load first so workerd's node:crypto accepts mailauth's algorithm names.
 */
import "../../authenticate/node-compat";
import { dkimSign } from "mailauth/lib/dkim/sign";
import type { SigningKey } from "../../credentials/dkim-keys";

export class SigningError extends Error {
  override name = "SigningError";
}

export async function signSubmission(
  bytes: Uint8Array,
  domain: string,
  key: SigningKey,
  now: Date,
): Promise<Uint8Array> {
  const result = await dkimSign(Buffer.from(bytes), {
    canonicalization: "relaxed/relaxed",
    signTime: now,
    signatureData: [
      { signingDomain: domain, selector: key.selector, privateKey: key.privateKeyPem, algorithm: key.algorithm },
    ],
  } as unknown as Parameters<typeof dkimSign>[1]);
  if (!result.signatures) {
    // Sending unsigned would fail DMARC at the recipient; refuse instead (the error says why).
    throw new SigningError(`DKIM signing failed: ${JSON.stringify(result.errors ?? []).slice(0, 300)}`);
  }
  const signature = new TextEncoder().encode(result.signatures);
  const out = new Uint8Array(signature.length + bytes.length);
  out.set(signature);
  out.set(bytes, signature.length);
  return out;
}
