/**
 * Sender Rewriting Scheme (Shevek's SRS, as in libsrs2 and Mail::SRS's Guarded scheme).
 *
 * Relayed alias mail leaves Facteur from Cloudflare/relay addresses, so SPF (RFC 7208) of the
 * author's domain fails at the destination unless the envelope sender becomes one of ours:
 *
 *   alice@example.org                    -> SRS0=HHHH=TT=example.org=alice@forwarder
 *   SRS0=HHHH=TT=example.org=alice@fwd1  -> SRS1=GGGG=fwd1==HHHH=TT=example.org=alice@forwarder
 *   SRS1=GGGG=fwd1==HHHH=...@fwd2        -> SRS1=KKKK=fwd1==HHHH=...@forwarder (original hop kept)
 *
 * HHHH is a truncated HMAC over the rest, so nobody can make Facteur relay bounces to an address
 * of their choice; TT is the day, so an address stops working after MAX_AGE_DAYS. Written by hand:
 * the scheme is short and no SRS library runs on WebCrypto. HMAC-SHA256 replaces libsrs2's SHA-1
 * (only Facteur checks its own hashes, so the choice is local).
 */

/**
 * 10 base32 characters: 50 bits of HMAC. libsrs2's default of 4 base64 characters compared
 * case-insensitively is about 21 bits, which a forger can search; base32 has one case only, so
 * an MTA that folds the case of the address cannot break it. Hashes of the old length are refused.
 */
export const HASH_LENGTH = 10;
/** RFC 5321 section 4.5.3.1.1: a local part is at most 64 octets. */
export const MAX_LOCAL_PART = 64;
/** libsrs2 default maxage: a bounce arriving more than 21 days after sending is refused. */
export const MAX_AGE_DAYS = 21;
/** Timestamps are days modulo 2^10, written as 2 base32 characters (libsrs2 SRS_TIME_*). */
const TIME_SLOTS = 1024;
const DAY_MS = 86_400_000;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** libsrs2 accepts '=', '+' or '-' right after SRS0/SRS1, and writes '='. */
const SEPARATORS = "=+-";
const SEP = "=";

export type SrsReverseResult =
  | { ok: true; original: string }
  | { ok: false; reason: "forged" | "expired" | "malformed" };

export class SrsError extends Error {
  override name = "SrsError";
}

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  if (!secret) throw new SrsError("SRS_SECRET is empty: refusing to write unsigned SRS addresses");
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

/** RFC 4648 section 6 base32 of the first bits of `bytes`, `length` characters. */
function base32(bytes: Uint8Array, length: number): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= length) break;
  }
  return out;
}

/**
 * HMAC over the lower-cased parts, base32, first HASH_LENGTH characters. Lower-casing (as
 * Mail::SRS and libsrs2 do) keeps the hash valid when an MTA changes the case of the address.
 */
async function hash(secret: string, ...parts: string[]): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(parts.join("").toLowerCase()));
  return base32(new Uint8Array(mac), HASH_LENGTH);
}

/** Case-insensitive (base32 has one case), constant time over the fixed length. */
function hashMatches(expected: string, given: string): boolean {
  if (given.length !== expected.length) return false;
  let diff = 0;
  const a = expected.toUpperCase();
  const b = given.toUpperCase();
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function today(now: number): number {
  return Math.floor(now / DAY_MS) % TIME_SLOTS;
}

function encodeStamp(day: number): string {
  return BASE32[(day >> 5) & 31]! + BASE32[day & 31]!;
}

function decodeStamp(stamp: string): number | null {
  if (stamp.length !== 2) return null;
  const hi = BASE32.indexOf(stamp[0]!.toUpperCase());
  const lo = BASE32.indexOf(stamp[1]!.toUpperCase());
  return hi < 0 || lo < 0 ? null : (hi << 5) | lo;
}

/** libsrs2 srs_timestamp_check: age in days, wrapping around the 1024-day cycle. */
function stampExpired(stamp: number, now: number): boolean {
  let current = today(now);
  while (current < stamp) current += TIME_SLOTS;
  return current - stamp > MAX_AGE_DAYS;
}

function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf("@");
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** "SRS0" or "SRS1" followed by a separator, case-insensitively; returns the tag. */
function srsTag(local: string): "SRS0" | "SRS1" | null {
  const tag = local.slice(0, 4).toUpperCase();
  if ((tag === "SRS0" || tag === "SRS1") && SEPARATORS.includes(local[4] ?? "")) return tag;
  return null;
}

/** True when the address is an SRS0/SRS1 address (of anyone). */
export function isSrsAddress(address: string): boolean {
  const parts = splitAddress(address);
  return parts !== null && srsTag(parts.local) !== null;
}

/**
 * Rewrites an envelope sender for re-sending from `forwarderDomain`. The null sender and a sender
 * without a domain are returned unchanged (nothing to rewrite, RFC 5321 section 4.5.5), and so
 * is a sender already in `forwarderDomain` (libsrs2 does the same: SPF already passes).
 *
 * A rewritten local part longer than MAX_LOCAL_PART octets would make receivers refuse the whole
 * message (RFC 5321 section 4.5.3.1.1); such a sender becomes the null reverse-path instead: the
 * copy is delivered, and a bounce of it is lost rather than the message.
 */
export async function srsForward(
  sender: string,
  forwarderDomain: string,
  secret: string,
  now: number = Date.now(),
): Promise<string> {
  const rewritten = await rewrite(sender, forwarderDomain, secret, now);
  const at = rewritten.lastIndexOf("@");
  if (rewritten === sender || at < 0) return rewritten;
  return encoder.encode(rewritten.slice(0, at)).byteLength > MAX_LOCAL_PART ? "" : rewritten;
}

async function rewrite(
  sender: string,
  forwarderDomain: string,
  secret: string,
  now: number = Date.now(),
): Promise<string> {
  const parts = splitAddress(sender);
  if (!parts) return sender;
  if (parts.domain.toLowerCase() === forwarderDomain.toLowerCase()) return sender;
  const tag = srsTag(parts.local);
  if (tag === "SRS0") {
    // Re-forwarding an SRS0 address: keep its host (the first forwarder, which can verify it)
    // and its opaque rest, starting with the separator: SRS1=GGGG=fwd1==HHHH=TT=...
    const rest = parts.local.slice(4);
    return `SRS1${SEP}${await hash(secret, parts.domain, rest)}${SEP}${parts.domain}${SEP}${rest}@${forwarderDomain}`;
  }
  if (tag === "SRS1") {
    const parsed = parseSrs1(parts.local);
    if (parsed) {
      // Keep the first forwarder's host and rest; only our hash and host change.
      return `SRS1${SEP}${await hash(secret, parsed.host, parsed.rest)}${SEP}${parsed.host}${SEP}${parsed.rest}@${forwarderDomain}`;
    }
    // Not a well-formed SRS1 address: treat it as an ordinary sender below.
  }
  const stamp = encodeStamp(today(now));
  const mac = await hash(secret, stamp, parts.domain, parts.local);
  return `SRS0${SEP}${mac}${SEP}${stamp}${SEP}${parts.domain}${SEP}${parts.local}@${forwarderDomain}`;
}

/** SRS1<sep>HASH<sep>host<sep>rest, where rest keeps its leading separator. */
function parseSrs1(local: string): { hash: string; host: string; rest: string } | null {
  const body = local.slice(5);
  const first = indexOfSeparator(body, 0);
  if (first <= 0) return null;
  const second = indexOfSeparator(body, first + 1);
  if (second <= first + 1) return null;
  const rest = body.slice(second + 1);
  if (rest.length < 2 || !SEPARATORS.includes(rest[0]!)) return null;
  return { hash: body.slice(0, first), host: body.slice(first + 1, second), rest };
}

/**
 * Inside the address only '=' separates fields (libsrs2 SRSSEP); '+' and '-' are accepted only
 * right after the SRS0/SRS1 tag, since domains contain '-' and local parts contain both.
 */
function indexOfSeparator(text: string, from: number): number {
  return text.indexOf(SEP, from);
}

/**
 * Verifies an SRS address Facteur wrote and returns where a bounce to it must go: the original
 * sender for SRS0, the first forwarder's SRS0 address for SRS1 (which may itself be one of our
 * domains: then reverse it again). Forged hashes and expired SRS0 stamps are refused.
 */
export async function srsReverse(address: string, secret: string, now: number = Date.now()): Promise<SrsReverseResult> {
  const parts = splitAddress(address);
  if (!parts) return { ok: false, reason: "malformed" };
  const tag = srsTag(parts.local);
  if (tag === "SRS1") {
    const parsed = parseSrs1(parts.local);
    if (!parsed) return { ok: false, reason: "malformed" };
    if (!hashMatches(await hash(secret, parsed.host, parsed.rest), parsed.hash)) return { ok: false, reason: "forged" };
    return { ok: true, original: `SRS0${parsed.rest}@${parsed.host}` };
  }
  if (tag !== "SRS0") return { ok: false, reason: "malformed" };
  // SRS0<sep>HASH<sep>TT<sep>domain<sep>local; the local part may itself contain separators.
  const body = parts.local.slice(5);
  const a = indexOfSeparator(body, 0);
  const b = a < 0 ? -1 : indexOfSeparator(body, a + 1);
  const c = b < 0 ? -1 : indexOfSeparator(body, b + 1);
  if (a <= 0 || b <= a + 1 || c <= b + 1 || c === body.length - 1) return { ok: false, reason: "malformed" };
  const givenHash = body.slice(0, a);
  const stampText = body.slice(a + 1, b);
  const domain = body.slice(b + 1, c);
  const local = body.slice(c + 1);
  const stamp = decodeStamp(stampText);
  if (stamp === null) return { ok: false, reason: "malformed" };
  // Check the hash before the age: an attacker learns nothing from the stamp's validity.
  if (!hashMatches(await hash(secret, stampText.toUpperCase(), domain, local), givenHash)) {
    return { ok: false, reason: "forged" };
  }
  if (stampExpired(stamp, now)) return { ok: false, reason: "expired" };
  return { ok: true, original: `${local}@${domain}` };
}
