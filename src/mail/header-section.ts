/**
 * The header section (RFC 5322 section 2.2): where it ends, and its fields, without touching the
 * body. Written by hand because routing needs only a handful of fields and must bound its cost
 * before anything else runs: postal-mime parses the whole MIME tree, and mailauth parses headers
 * only as part of hashing the body.
 */
import { type HeaderField, splitFields, unfold } from "./header-fields";

/**
 * Postfix's header_size_limit is 100 KiB; large mailing-list traffic with long DKIM/ARC chains
 * stays well under 256 KiB. A bigger header section is a header bomb, refused before parsing.
 */
export const MAX_HEADER_SECTION_BYTES = 256 * 1024;
/** A crafted message with 100,000 tiny header lines must not cost 100,000 objects. */
export const MAX_HEADER_FIELDS = 2000;
/**
 * A crafted message can carry a header section of hundreds of KB; a copy of it that Facteur
 * sends on (a DSN's returned headers) is capped, as Postfix caps it.
 */
export const MAX_RETURNED_HEADER_BYTES = 64 * 1024;

export interface HeaderBounds {
  /** Where the line break ending the last field starts: the fields are [0, fieldsEnd). */
  fieldsEnd: number;
  /** Just past the blank line: where the body starts. */
  bodyStart: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The blank line ending the header section: LF LF or LF CR LF, bare LF tolerated as every real
 * MTA does. Only a blank line that starts within the first `limit` bytes counts; null when
 * there is none. Works on bytes and on binary or decoded strings alike.
 */
export function findHeaderEnd(raw: Uint8Array | string, limit = Number.POSITIVE_INFINITY): HeaderBounds | null {
  const at: (i: number) => number | undefined =
    typeof raw === "string" ? (i) => (i < raw.length ? raw.charCodeAt(i) : undefined) : (i) => raw[i];
  const end = Math.min(raw.length, limit);
  for (let i = 0; i < end; i++) {
    if (at(i) !== LF) continue;
    const fieldsEnd = i > 0 && at(i - 1) === CR ? i - 1 : i;
    if (at(i + 1) === LF) return { fieldsEnd, bodyStart: i + 2 };
    if (at(i + 1) === CR && at(i + 2) === LF) return { fieldsEnd, bodyStart: i + 3 };
  }
  return null;
}

/**
 * Index of the first bare CR (a CR not followed by LF) or NUL in raw[0, end), or -1. RFC 5322
 * section 2.2 allows CR only as part of CRLF and section 3.2 excludes NUL from field bodies.
 * This parser splits lines on LF, so a bare CR stays inside a field value, and an SMTP relay's
 * line-ending repair then turns it into a line break on the wire: a field (or a whole body)
 * smuggled inside another field's value. Such a header section is refused, never repaired.
 */
export function findBareCrOrNul(raw: Uint8Array, end = raw.length): number {
  const stop = Math.min(end, raw.length);
  for (let i = 0; i < stop; i++) {
    const byte = raw[i];
    if (byte === 0) return i;
    if (byte === CR && raw[i + 1] !== LF) return i;
  }
  return -1;
}

/** Index just past the blank line ending the header section, or the length (no body). */
export function headerEnd(raw: Uint8Array): number {
  return findHeaderEnd(raw)?.bodyStart ?? raw.length;
}

export type HeaderSection =
  | { ok: true; fields: HeaderField[]; headerBytes: number }
  | { ok: false; problem: "too-large" | "too-many-fields" | "no-header-section" | "bare-cr-or-nul" };

const decoder = new TextDecoder("utf-8");

/** The header section of a received message, within the limits above. */
export function parseHeaderSection(raw: Uint8Array): HeaderSection {
  const bounds = findHeaderEnd(raw, MAX_HEADER_SECTION_BYTES);
  // No blank line: the whole message is header, if it is small enough.
  const headerBytes = bounds ? bounds.bodyStart : raw.length <= MAX_HEADER_SECTION_BYTES ? raw.length : -1;
  if (headerBytes < 0) return { ok: false, problem: "too-large" };
  if (findBareCrOrNul(raw, headerBytes) >= 0) return { ok: false, problem: "bare-cr-or-nul" };
  const raws = splitFields(decoder.decode(raw.subarray(0, headerBytes)), MAX_HEADER_FIELDS);
  if (!raws) return { ok: false, problem: "too-many-fields" };
  if (raws.length === 0) return { ok: false, problem: "no-header-section" };
  return { ok: true, fields: unfold(raws), headerBytes };
}

/**
 * The header section of a raw message (up to the blank line) as text with CRLF line endings,
 * cut on a line boundary to at most `maxBytes` (so no field is left half-written).
 */
export function headerSectionText(raw: Uint8Array | string, maxBytes = MAX_RETURNED_HEADER_BYTES): string {
  const text =
    typeof raw === "string" ? raw.slice(0, maxBytes * 2) : new TextDecoder().decode(raw.subarray(0, maxBytes * 2));
  const bounds = findHeaderEnd(text);
  let header = bounds ? text.slice(0, bounds.fieldsEnd) : text;
  // The CR of the CRLF cut at goes too: a bare CR has no place in a header (RFC 5322 section 2.2).
  if (header.length > maxBytes) header = header.slice(0, header.lastIndexOf("\n", maxBytes)).replace(/\r$/, "");
  return `${header.replace(/\r?\n/g, "\r\n")}\r\n`;
}
