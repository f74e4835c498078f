/**
 * What a payload is, from its first bytes. Reporters label attachments as they please
 * (`application/octet-stream` for a zip, `text/xml` for a gzip), so the bytes decide, never the
 * Content-Type or the file name.
 */
export type Sniffed = "gzip" | "zip" | "xml" | "json" | "eml" | "empty" | "unknown";

// An RFC 5322 header field name (printable ASCII except ":") followed by ":" (section 2.2).
const HEADER_FIELD = /^[\x21-\x39\x3b-\x7e]+:/;

export function sniff(data: Uint8Array): Sniffed {
  // RFC 1952 section 2.3.1: ID1 ID2 = 1f 8b.
  if (data[0] === 0x1f && data[1] === 0x8b) return "gzip";
  // PKWARE APPNOTE 4.3.7 local file header, or 4.3.16 end of central directory (an empty zip).
  if (data[0] === 0x50 && data[1] === 0x4b && ((data[2] === 3 && data[3] === 4) || (data[2] === 5 && data[3] === 6))) {
    return "zip";
  }
  let start = 0;
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) start = 3; // UTF-8 byte order mark
  const head = new TextDecoder("latin1").decode(data.subarray(start, start + 512));
  const trimmed = head.trimStart();
  if (trimmed.startsWith("<")) return "xml";
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return "json";
  if (HEADER_FIELD.test(head) || head.startsWith("From ")) return "eml";
  if (trimmed === "" && data.byteLength - start <= 512) return "empty";
  return "unknown";
}
