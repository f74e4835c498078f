/**
 * Every address Facteur mints, built and recognised in one place:
 *   team@d                    a list's posts         team-request@d          its commands
 *   team-owner@d              its owners             team-bounces+<verp>@d   its bounces (VERP)
 *   team-confirm+<token>@d    confirmation replies   SRS0=…@d / SRS1=…@d     alias bounces (./srs.ts)
 *
 * VERP (variable envelope return path): each member's copy is sent with the envelope sender
 * `team-bounces+<key><tag>@d`, so a bounce names the member even when the report is unreadable.
 *   key  16 hex: the member's verp_key (a digest of list and member, store/members.ts), short
 *        enough for RFC 5321's 64-octet local part and not disclosing the member's address;
 *   tag  6 hex of HMAC-SHA256 under LIST_SECRET: without it anyone could send a few fake bounces
 *        and get any member disabled.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { lookupKey, MAX_LOCAL_PART, SUBADDRESS_SEPARATOR, splitSubaddress } from "./address";

export {
  HASH_LENGTH,
  isSrsAddress,
  MAX_AGE_DAYS,
  SrsError,
  type SrsReverseResult,
  srsForward,
  srsReverse,
} from "./srs";

export type ListAddressKind = "list-post" | "list-request" | "list-owner" | "list-bounce" | "list-confirm";

/** Suffixes of a list's own addresses, after the list's local part. */
export const LIST_SUFFIXES = ["-request", "-owner", "-bounces", "-confirm"] as const;

const KIND_OF_SUFFIX = new Map<string, ListAddressKind>([
  ["", "list-post"],
  ["-request", "list-request"],
  ["-owner", "list-owner"],
  ["-bounces", "list-bounce"],
  ["-confirm", "list-confirm"],
]);

/** The addresses a list owns, derived from its post address. */
export interface ListAddresses {
  post: string;
  request: string;
  owner: string;
  bounces: string;
  /** team-confirm+<token>@d */
  confirm(token: string): string;
}

export function listAddresses(list: { localPart: string; domain: string }): ListAddresses {
  const at = `@${list.domain}`;
  return {
    post: `${list.localPart}${at}`,
    request: `${list.localPart}-request${at}`,
    owner: `${list.localPart}-owner${at}`,
    bounces: `${list.localPart}-bounces${at}`,
    confirm: (token) => `${list.localPart}-confirm${SUBADDRESS_SEPARATOR}${token}${at}`,
  };
}

/** "team-request" → "team"; a local part without a list suffix is returned as is. */
export function listLocalPart(base: string): string {
  const lower = base.toLowerCase();
  for (const suffix of LIST_SUFFIXES) {
    if (lower.endsWith(suffix) && lower.length > suffix.length) return base.slice(0, -suffix.length);
  }
  return base;
}

/**
 * Which of the list's addresses `local` is (any case), with the part after "+" (the VERP token
 * of a bounce, the confirmation token); null when it is none of them. `listLocal` is the list's
 * local part, lower-cased.
 */
export function parseListAddress(
  local: string,
  listLocal: string,
): { kind: ListAddressKind; tag: string | null } | null {
  const { base, tag } = splitSubaddress(local);
  const lower = base.toLowerCase();
  if (!lower.startsWith(listLocal)) return null;
  const kind = KIND_OF_SUFFIX.get(lower.slice(listLocal.length));
  return kind ? { kind, tag } : null;
}

/** A list's bounce address of anyone's list, plain or VERP (`x-bounces@`, `x-bounces+token@`). */
const LIST_BOUNCES = /-bounces(?:\+[^@]*)?@/i;

export function isListBounceAddress(address: string): boolean {
  return LIST_BOUNCES.test(address);
}

const KEY_LENGTH = 16;
/** 24 bits: a forger needs ~16 million mails per member to hit one tag. */
const TAG_LENGTH = 6;

/** Random bytes of a confirmation token (core/ids.ts randomToken: base64url, 4 characters per 3 bytes). */
export const CONFIRM_TOKEN_BYTES = 18;
const CONFIRM_TOKEN_LENGTH = Math.ceil((CONFIRM_TOKEN_BYTES * 4) / 3);

/**
 * The longest list local part whose minted addresses all fit RFC 5321's 64-octet local part:
 * `<local>-confirm+<24-character token>` (33 octets added) and `<local>-bounces+<key><tag>`
 * (31 added). Longer, and every confirmation reply and bounce would be refused.
 */
export const MAX_LIST_LOCAL_PART =
  MAX_LOCAL_PART -
  Math.max(
    "-confirm".length + SUBADDRESS_SEPARATOR.length + CONFIRM_TOKEN_LENGTH,
    "-bounces".length + SUBADDRESS_SEPARATOR.length + KEY_LENGTH + TAG_LENGTH,
  );
const VERP_ADDRESS = /^(.+)-bounces\+([^@]+)@(.+)$/;

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

/** The list address and VERP token of a `team-bounces+<token>@d` address, unverified; else null. */
export function parseVerpAddress(address: string): { list: string; token: string } | null {
  const match = VERP_ADDRESS.exec(address);
  return match ? { list: `${match[1]}@${match[3]}`, token: match[2]! } : null;
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
