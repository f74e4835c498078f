/**
 * Splits the header section (RFC 5322 section 2.2) off the raw message and unfolds its fields,
 * without touching the body. Written by hand because routing needs only a handful of fields and
 * must bound its cost before anything else runs: postal-mime parses the whole MIME tree, and
 * mailauth parses headers only as part of hashing the body.
 */

/**
 * Postfix's header_size_limit is 100 KiB; large mailing-list traffic with long DKIM/ARC chains
 * stays well under 256 KiB. A bigger header section is a header bomb, refused before parsing.
 */
export const MAX_HEADER_SECTION_BYTES = 256 * 1024;
/** A crafted message with 100,000 tiny header lines must not cost 100,000 objects. */
export const MAX_HEADER_FIELDS = 2000;

export interface HeaderField {
  /** Lower-cased field name. */
  name: string;
  /** Unfolded value (CRLF + WSP replaced by the WSP), leading whitespace trimmed. */
  value: string;
}

export type HeaderSection =
  | { ok: true; fields: HeaderField[]; headerBytes: number }
  | { ok: false; problem: "too-large" | "too-many-fields" | "no-header-section" };

const decoder = new TextDecoder("utf-8");

function findHeaderEnd(raw: Uint8Array, limit: number): number {
  // Returns the index just past the blank line, or -1 when none appears within `limit` bytes.
  const end = Math.min(raw.length, limit);
  for (let i = 0; i < end; i++) {
    if (raw[i] !== 0x0a) continue;
    // LF LF or LF CR LF ends the section (bare LF is tolerated, as every real MTA does).
    if (raw[i + 1] === 0x0a) return i + 2;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 3;
  }
  return raw.length <= limit ? raw.length : -1;
}

export function parseHeaderSection(raw: Uint8Array): HeaderSection {
  const headerBytes = findHeaderEnd(raw, MAX_HEADER_SECTION_BYTES);
  if (headerBytes < 0) return { ok: false, problem: "too-large" };
  const text = decoder.decode(raw.subarray(0, headerBytes));
  const fields: HeaderField[] = [];
  let current: { name: string; parts: string[] } | null = null;
  const flush = () => {
    if (current) fields.push({ name: current.name, value: current.parts.join("").trim() });
    current = null;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break;
    if ((line[0] === " " || line[0] === "\t") && current) {
      // RFC 5322 section 2.2.3: unfolding removes the CRLF, keeps the whitespace.
      (current as { parts: string[] }).parts.push(line);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      // Not a field (e.g. an mbox "From " line or garbage). RFC 5322 has no place for it; skip.
      continue;
    }
    flush();
    if (fields.length >= MAX_HEADER_FIELDS) return { ok: false, problem: "too-many-fields" };
    current = { name: line.slice(0, colon).trim().toLowerCase(), parts: [line.slice(colon + 1)] };
  }
  flush();
  if (fields.length === 0) return { ok: false, problem: "no-header-section" };
  return { ok: true, fields, headerBytes };
}

export function headerValues(fields: readonly HeaderField[], name: string): string[] {
  const out: string[] = [];
  for (const field of fields) if (field.name === name) out.push(field.value);
  return out;
}

export function headerValue(fields: readonly HeaderField[], name: string): string | undefined {
  for (const field of fields) if (field.name === name) return field.value;
  return undefined;
}
