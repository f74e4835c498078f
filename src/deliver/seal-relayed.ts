/**
 * ARC on relayed alias mail (RFC 8617 section 5.1): a copy Facteur re-sends through the relay gets
 * ARC set i = n+1, its ARC-Authentication-Results carrying Facteur's inbound results, so a receiver
 * that trusts Facteur's seal sees how the message authenticated on arrival even though SPF (and
 * DMARC through it) no longer aligns. The SRS envelope and the author's intact DKIM signature stay
 * the primary path; ARC is added on top. The seal is made LAST, over the copy as it will be sent
 * (after the trace fields), because any later change would break the ARC-Message-Signature.
 * A domain without a DKIM key is not sealed (there is nothing to sign with).
 */
import { log } from "../core/log";
import { loadSigningKey, type SigningKey } from "../credentials/dkim-keys";
import { concatBytes } from "../mail/bytes";
import { sealArc } from "../mailauth";

export interface SealInput {
  domain: string;
  /** Inbound ARC chain status as validated by authenticate/ (pass, fail, none…). */
  chain: string;
  /** Facteur's inbound Authentication-Results value. */
  authResults: string;
  now: number;
}

export async function sealRelayed(
  env: Pick<Env, "DB" | "KEY_ENCRYPTION_KEY">,
  raw: Uint8Array,
  input: SealInput,
  loadKey: (env: Pick<Env, "DB" | "KEY_ENCRYPTION_KEY">, domain: string) => Promise<SigningKey | null> = loadSigningKey,
): Promise<Uint8Array> {
  const key = await loadKey(env, input.domain);
  if (!key) return raw;
  // RFC 8617 section 5.1.1: cv is the validation status of the chain as received.
  const cv = input.chain === "pass" ? "pass" : input.chain === "none" ? "none" : "fail";
  const text = await sealArc(raw, {
    signingDomain: input.domain,
    selector: key.selector,
    privateKeyPem: key.privateKeyPem,
    authResults: input.authResults,
    cv,
    signTime: new Date(input.now),
  });
  if (!text) {
    // mailauth refuses to extend a chain whose newest seal already says cv=fail (section 5.1 step 2).
    log({ stage: "deliver", unit: "arc-seal", outcome: "not-sealed", domain: input.domain, cv });
    return raw;
  }
  const block = text.endsWith("\r\n") ? text : `${text}\r\n`;
  return concatBytes([Uint8Array.from(block, (c) => c.charCodeAt(0)), raw]);
}
