/**
 * A message as the transform handlers edit it: the header fields as raw lines (folding and bytes
 * kept exactly, so fields a handler does not touch stay byte-identical and the author's
 * DKIM-Signature still verifies where nothing it covers changed) and the body, never re-encoded.
 *
 * Bytes are held as "binary" strings (one char per byte, latin1): 8-bit header bytes from
 * SMTPUTF8 senders survive the round trip unchanged. Fields Facteur writes are ASCII (RFC 2047
 * encoded words for display names).
 */
import { concatBytes, fromBinaryString, toBinaryString } from "./bytes";
import { fieldKey, fieldValue, type RawField, splitFields } from "./header-fields";
import { headerEnd } from "./header-section";

export type { RawField };

export interface MessageParts {
  fields: RawField[];
  body: Uint8Array;
}

/**
 * Header fields and body of a raw message. A line that is not a field (an mbox "From " line) is
 * dropped: RFC 5322 has no place for it, and it would corrupt every signature over the header.
 */
export function splitMessage(raw: Uint8Array): MessageParts {
  const end = headerEnd(raw);
  return { fields: splitFields(toBinaryString(raw.subarray(0, end))) ?? [], body: raw.subarray(end) };
}

/** The header section with its terminating blank line, CRLF line endings (RFC 5322 section 2.1). */
export function headerSection(parts: Pick<MessageParts, "fields">): string {
  return `${parts.fields.map((f) => `${f.line}\r\n`).join("")}\r\n`;
}

export function joinMessage(parts: MessageParts): Uint8Array {
  return concatBytes([fromBinaryString(headerSection(parts)), parts.body]);
}

export function getField(parts: MessageParts, name: string): RawField | undefined {
  const key = name.toLowerCase();
  return parts.fields.find((f) => f.key === key);
}

export function getValue(parts: MessageParts, name: string): string | undefined {
  const field = getField(parts, name);
  return field ? fieldValue(field) : undefined;
}

export function removeFields(parts: MessageParts, predicate: (key: string, field: RawField) => boolean): void {
  parts.fields = parts.fields.filter((f) => !predicate(f.key, f));
}

/** Replaces every field of that name by one (where the first one was, or at the top). */
export function setField(parts: MessageParts, name: string, value: string): void {
  const key = name.toLowerCase();
  const line = `${name}: ${value}`;
  const index = parts.fields.findIndex((f) => f.key === key);
  parts.fields = parts.fields.filter((f) => f.key !== key);
  if (index < 0) parts.fields.unshift({ key, line });
  else parts.fields.splice(Math.min(index, parts.fields.length), 0, { key, line });
}

/** Adds fields at the top of the header, in the order given (trace-like fields go first). */
export function prependFields(parts: MessageParts, lines: string[]): void {
  const added = lines.map((line) => ({ key: fieldKey(line), line }));
  parts.fields = [...added, ...parts.fields];
}
