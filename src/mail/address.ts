/**
 * Mail addresses: parsing, normalisation and subaddressing. Used by routing and the API alike.
 *
 * Normal form: the domain lower-cased and converted to A-labels (IDNA, RFC 5890), the local part
 * kept exactly as given (RFC 5321 section 2.4: only the destination host may interpret it).
 * Matching uses `lookupKey`, the lower-cased form, because senders do not preserve case.
 */

/** RFC 5321 section 4.5.3.1.1 and 4.5.3.1.2. */
export const MAX_LOCAL_PART = 64;
export const MAX_DOMAIN = 253;

export interface Address {
  local: string;
  domain: string;
  /** local@domain in normal form. */
  address: string;
}

// RFC 5322 section 3.2.3 atext, plus "." between atoms (dot-atom). UTF-8 local parts are allowed
// by RFC 6531 (SMTPUTF8), so any non-ASCII character counts as atext.
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+)*$/;
// RFC 5322 section 3.2.4 quoted-string, but without white space, "<", ">" or control characters:
// legal in theory, they break relays and envelope parsers, so no part of Facteur accepts them
// (the API, routing and the delivery queue all use this one validator).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it refuses
const QUOTED = /^"(?:[^"\\\x00-\x20\x7f<>]|\\[^\x00-\x20\x7f<>])*"$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** Whether `domain` holds ASCII other than letters, digits, "-" and ".", or a C1 control. */
function hasNonHostCharacter(domain: string): boolean {
  for (let i = 0; i < domain.length; i++) {
    const c = domain.charCodeAt(i);
    const host =
      (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e;
    if (!host && c <= 0x9f) return true;
  }
  return false;
}

/** Lower-case and IDNA-encode a domain; null when it is not a valid host name. */
export function normalizeDomain(input: string): string | null {
  let domain = input.trim().replace(/\.$/, "");
  if (domain === "" || domain.length > MAX_DOMAIN * 4) return null;
  // Only what a host name can hold goes to the URL parser: it ends the host at "#", "/", "?", "\\"
  // or "@" and percent-decodes, so `mine.test#ü.victim.test` would come back as `mine.test`.
  if (hasNonHostCharacter(domain)) return null;
  if (/[^\x21-\x7e]/.test(domain)) {
    // WHATWG URL parsing applies UTS #46 / IDNA to-ASCII, which is what mail expects (RFC 5891).
    try {
      domain = new URL(`http://${domain}/`).hostname;
    } catch {
      return null;
    }
  }
  domain = domain.toLowerCase();
  if (domain.length > MAX_DOMAIN) return null;
  const labels = domain.split(".");
  if (labels.length < 2) return null;
  for (const label of labels) if (!LABEL.test(label)) return null;
  return domain;
}

export function isValidLocalPart(local: string): boolean {
  if (local.length === 0 || new TextEncoder().encode(local).length > MAX_LOCAL_PART) return false;
  return DOT_ATOM.test(local) || QUOTED.test(local);
}

/** Parse "local@domain" (no display name, no angle brackets) into normal form, or null. */
export function parseAddress(input: string): Address | null {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf("@");
  if (at <= 0 || at === trimmed.length - 1) return null;
  const local = trimmed.slice(0, at);
  const domain = normalizeDomain(trimmed.slice(at + 1));
  if (!domain || !isValidLocalPart(local)) return null;
  return { local, domain, address: `${local}@${domain}` };
}

export function lookupKey(address: string): string {
  return address.toLowerCase();
}

/** RFC 5233 subaddressing: "user+tag" is "user" with detail "tag". */
export const SUBADDRESS_SEPARATOR = "+";

export function splitSubaddress(local: string): { base: string; tag: string | null } {
  const at = local.indexOf(SUBADDRESS_SEPARATOR);
  if (at <= 0) return { base: local, tag: null };
  return { base: local.slice(0, at), tag: local.slice(at + 1) };
}

/**
 * Providers known to deliver "user+tag@" to "user@" (RFC 5233 subaddressing). Only for these is
 * the tag carried over to a destination; elsewhere "+tag" could be an unknown user.
 */
export const SUBADDRESSING_DOMAINS: ReadonlySet<string> = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "icloud.com",
  "me.com",
  "fastmail.com",
  "proton.me",
  "protonmail.com",
  "pm.me",
  "zoho.com",
]);

export function withSubaddress(destination: string, tag: string | null): string {
  if (!tag) return destination;
  const parsed = parseAddress(destination);
  if (!parsed || !SUBADDRESSING_DOMAINS.has(parsed.domain)) return destination;
  if (parsed.local.includes(SUBADDRESS_SEPARATOR) || !isValidLocalPart(`${parsed.local}+${tag}`)) return destination;
  return `${parsed.local}${SUBADDRESS_SEPARATOR}${tag}@${parsed.domain}`;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}
