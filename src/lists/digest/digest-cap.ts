/**
 * A digest's hard size cap. Mailman's digest_size_threshold (30 KB by default) only sends a digest
 * early; here the cap also bounds what one Worker invocation holds in memory and keeps every
 * digest under the relay's message size limit (Cloudflare Email Sending: 5 MiB), so a busy period
 * becomes several digests, each the next issue number, instead of one the relay refuses.
 */
import { effectiveMaxBytes } from "../rules/max-size";

/**
 * Room kept under the cap for everything but the posts: the digest's own header and TOC heading,
 * then what the fan-out adds to each member's copy (List-Unsubscribe, DKIM-Signature with a
 * 2048-bit RSA b=, about 1 KB together). The posts' own framing is DIGEST_PER_POST_BYTES each.
 */
export const DIGEST_FRAME_BYTES = 8 * 1024;

/** The size a member's copy of a digest stays under: the list's cap, within the relay's limit. */
export function digestCap(listMaxBytes: number, relayMaxBytes: number | undefined): number {
  return effectiveMaxBytes(listMaxBytes, relayMaxBytes);
}

/** What a digest part's posts (bytes, framing and TOC lines) may add up to. */
export function digestBudget(cap: number): number {
  return Math.max(cap - DIGEST_FRAME_BYTES, 1);
}
