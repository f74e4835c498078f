/**
 * The outgoing message as the handlers edit it: the header fields as raw lines (folding and bytes
 * kept exactly, so fields a handler does not touch stay byte-identical and the author's
 * DKIM-Signature still verifies where nothing it covers changed) and the body, never re-encoded.
 *
 * Bytes are held as "binary" strings (one char per byte, latin1): 8-bit header bytes from
 * SMTPUTF8 senders survive the round trip unchanged. Fields Facteur writes are ASCII (RFC 2047
 * encoded words for display names).
 */

export interface RawField {
  /** Lower-cased name, for matching. */
  key: string;
  /** The whole field: "Name: value" including folds, without the final CRLF. */
  line: string;
}

export interface MessageParts {
  fields: RawField[];
  body: Uint8Array;
}

function toBinary(bytes: Uint8Array): string {
  let out = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) out += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return out;
}

function fromBinary(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Index just past the blank line ending the header section (bare LF tolerated), or the length. */
export function headerEnd(raw: Uint8Array): number {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return i + 2;
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 3;
  }
  return raw.length;
}

export function splitMessage(raw: Uint8Array): MessageParts {
  const end = headerEnd(raw);
  const text = toBinary(raw.subarray(0, end));
  const fields: RawField[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "") continue;
    if ((line[0] === " " || line[0] === "\t") && fields.length > 0) {
      const last = fields[fields.length - 1]!;
      last.line += `\r\n${line}`;
      continue;
    }
    const colon = line.indexOf(":");
    // Not a field (an mbox "From " line): RFC 5322 has no place for it, and it would corrupt
    // every signature computed over the header, so it is dropped.
    if (colon <= 0) continue;
    fields.push({ key: line.slice(0, colon).trim().toLowerCase(), line });
  }
  return { fields, body: raw.subarray(end) };
}

/** The header section with its terminating blank line, CRLF line endings (RFC 5322 section 2.1). */
export function headerSection(parts: Pick<MessageParts, "fields">): string {
  return `${parts.fields.map((f) => `${f.line}\r\n`).join("")}\r\n`;
}

export function joinMessage(parts: MessageParts): Uint8Array {
  const head = fromBinary(headerSection(parts));
  const out = new Uint8Array(head.length + parts.body.length);
  out.set(head, 0);
  out.set(parts.body, head.length);
  return out;
}

export function fieldValue(field: RawField): string {
  return field.line
    .slice(field.line.indexOf(":") + 1)
    .replace(/\r\n([ \t])/g, "$1")
    .trim();
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
  const added = lines.map((line) => ({ key: line.slice(0, line.indexOf(":")).trim().toLowerCase(), line }));
  parts.fields = [...added, ...parts.fields];
}

/** RFC 2047 encoded-word for a display name that is not plain ASCII; quoted-string otherwise. */
export function encodeDisplayName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  if (/^[\x20-\x7e]*$/.test(clean)) return `"${clean.replace(/(["\\])/g, "\\$1")}"`;
  const bytes = new TextEncoder().encode(clean);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `=?UTF-8?B?${btoa(binary)}?=`;
}

/**
 * Joins items with ", " and folds before an item that would push the line past 78 characters
 * (RFC 5322 section 2.1.1), for a field named `name`. Returns the value only.
 */
export function foldItems(name: string, items: string[]): string {
  let value = "";
  let lineLength = name.length + 2;
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (i > 0 && lineLength + 1 + piece.length > 78) {
      value += `\r\n ${piece}`;
      lineLength = 1 + piece.length;
    } else {
      value += (i > 0 ? " " : "") + piece;
      lineLength += (i > 0 ? 1 : 0) + piece.length;
    }
  });
  return value;
}
