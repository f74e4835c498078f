/**
 * VERP (variable envelope return path): each member's copy is sent with the envelope sender
 * `team-bounces+<key><tag>@d`, so a bounce names the member even when the report is unreadable.
 *   key  16 hex: the member's verp_key (a digest of list and member, store/members.ts), short
 *        enough for RFC 5321's 64-octet local part and not disclosing the member's address;
 *   tag  6 hex of HMAC-SHA256 under LIST_SECRET: without it anyone could send a few fake bounces
 *        and get any member disabled.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { lookupKey } from "../mail/address";

const KEY_LENGTH = 16;
/** 24 bits: a forger needs ~16 million mails per member to hit one tag. */
const TAG_LENGTH = 6;

function tagFor(secret: string, list: string, key: string): string {
  return createHmac("sha256", secret)
    .update(`verp\n${lookupKey(list)}\n${key}`)
    .digest("hex")
    .slice(0, TAG_LENGTH);
}

/** `team-bounces+<key><tag>@d` for the member whose verp_key is `key`. */
export function verpAddress(
  secret: string,
  list: { localPart: string; domain: string; address: string },
  key: string,
): string {
  return `${list.localPart}-bounces+${key}${tagFor(secret, list.address, key)}@${list.domain}`;
}

/** The verp_key a VERP token (the part after "+") names, or null when it is malformed or forged. */
export function decodeVerp(secret: string, listAddress: string, token: string): string | null {
  const lower = token.toLowerCase();
  if (!/^[0-9a-f]+$/.test(lower) || lower.length !== KEY_LENGTH + TAG_LENGTH) return null;
  const key = lower.slice(0, KEY_LENGTH);
  const given = Buffer.from(lower.slice(KEY_LENGTH));
  const expected = Buffer.from(tagFor(secret, listAddress, key));
  return timingSafeEqual(given, expected) ? key : null;
}
