/**
 * DKIM-signs a submission with the From domain's key (RFC 6376), relaxed/relaxed, through the
 * mailauth fence.
 */
import type { SigningKey } from "../../credentials/dkim-keys";
import { concatBytes } from "../../mail/bytes";
import { signDkim } from "../../mailauth";

export class SigningError extends Error {
  override name = "SigningError";
}

export async function signSubmission(
  bytes: Uint8Array,
  domain: string,
  key: SigningKey,
  now: Date,
): Promise<Uint8Array> {
  const result = await signDkim(
    bytes,
    { domain, selector: key.selector, privateKeyPem: key.privateKeyPem, algorithm: key.algorithm },
    { canonicalization: "relaxed/relaxed", signTime: now },
  );
  if (!result.signatures) {
    // Sending unsigned would fail DMARC at the recipient; refuse instead (the error says why).
    throw new SigningError(`DKIM signing failed: ${JSON.stringify(result.errors).slice(0, 300)}`);
  }
  return concatBytes([new TextEncoder().encode(result.signatures), bytes]);
}
