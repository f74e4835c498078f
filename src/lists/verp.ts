/**
 * VERP (variable envelope return path): each member's copy is sent with the envelope sender
 * `team-bounces+<tag>=<local>=<domain>@d`, so a bounce names the member even when the DSN is
 * unreadable. The tag is a short HMAC under LIST_SECRET: without it anyone could send five fake
 * bounces and get any member disabled.
 *
 * Encoding follows the usual VERP convention (local=domain after the "+"); the local part of the
 * member may itself contain "=" or "+", so the LAST "=" separates it from the domain.
 */
import { createHmac } from "node:crypto";
import { lookupKey } from "../address";

/** 6 base32-ish characters (30 bits): guessing costs ~10^9 tries per member, each a mail. */
const TAG_LENGTH = 6;

function tagFor(secret: string, list: string, member: string): string {
  return createHmac("sha256", secret)
    .update(`verp\n${lookupKey(list)}\n${lookupKey(member)}`)
    .digest("hex")
    .slice(0, TAG_LENGTH);
}

/** `team-bounces+<tag>=bob=example.org@d` for member bob@example.org of team@d. */
export function verpAddress(
  secret: string,
  list: { localPart: string; domain: string; address: string },
  member: string,
): string {
  const at = member.lastIndexOf("@");
  return `${list.localPart}-bounces+${tagFor(secret, list.address, member)}=${member.slice(0, at)}=${member.slice(at + 1)}@${list.domain}`;
}

/** The member a VERP tag (the part after "+") names, or null when it is malformed or forged. */
export function decodeVerp(secret: string, listAddress: string, token: string): string | null {
  const first = token.indexOf("=");
  const last = token.lastIndexOf("=");
  if (first !== TAG_LENGTH || last <= first + 1 || last === token.length - 1) return null;
  const member = `${token.slice(first + 1, last)}@${token.slice(last + 1)}`;
  const expected = tagFor(secret, listAddress, member);
  return token.slice(0, first).toLowerCase() === expected ? member : null;
}
