/**
 * Header fields (RFC 5322 section 2.2): splitting a header section into fields, unfolding them,
 * finding a field by name, and writing field bodies (display names, folded lists).
 *
 * A field is kept either as its raw line (`RawField`: folds and bytes exactly as received, for
 * editing a message without disturbing the fields a signature covers) or unfolded
 * (`HeaderField`: for reading). Both come from the same split.
 */
export interface RawField {
  /** Lower-cased name, for matching. */
  key: string;
  /** The whole field: "Name: value" including folds (CRLF + WSP), without the final CRLF. */
  line: string;
}

export interface HeaderField {
  /** Lower-cased field name. */
  name: string;
  /** Unfolded value (CRLF + WSP replaced by the WSP), leading and trailing whitespace trimmed. */
  value: string;
}

/** The lower-cased name of a "Name: value" line. */
export function fieldKey(line: string): string {
  return line.slice(0, line.indexOf(":")).trim().toLowerCase();
}

/**
 * The fields of a header section (the text up to, not past, its blank line; CRLF or bare LF).
 * Lines that start with WSP continue the field before them. A line that is neither a field nor
 * a continuation (an mbox "From " line, garbage) has no place in RFC 5322 and is skipped. More
 * than `maxFields` fields: null.
 */
export function splitFields(text: string, maxFields = Number.POSITIVE_INFINITY): RawField[] | null {
  const fields: RawField[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break;
    if ((line[0] === " " || line[0] === "\t") && fields.length > 0) {
      // RFC 5322 section 2.2.3: a fold is CRLF followed by WSP.
      fields[fields.length - 1]!.line += `\r\n${line}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    if (fields.length >= maxFields) return null;
    fields.push({ key: line.slice(0, colon).trim().toLowerCase(), line });
  }
  return fields;
}

/** The field body unfolded (RFC 5322 section 2.2.3: remove each CRLF before WSP) and trimmed. */
export function fieldValue(field: RawField): string {
  return field.line
    .slice(field.line.indexOf(":") + 1)
    .replace(/\r?\n([ \t])/g, "$1")
    .trim();
}

export function unfold(fields: readonly RawField[]): HeaderField[] {
  return fields.map((field) => ({ name: field.key, value: fieldValue(field) }));
}

/** The fields of header text (a header section, or a whole message: splitFields stops at its blank line). */
function fieldsOfText(text: string): HeaderField[] {
  return unfold(splitFields(text) ?? []);
}

/** Unfolded values of every field named `name` (any case), in order. */
export function headerValues(source: readonly HeaderField[] | string, name: string): string[] {
  const fields = typeof source === "string" ? fieldsOfText(source) : source;
  const key = name.toLowerCase();
  const out: string[] = [];
  for (const field of fields) if (field.name === key) out.push(field.value);
  return out;
}

/** Unfolded value of the first field named `name` (any case), or undefined. */
export function headerValue(source: readonly HeaderField[] | string, name: string): string | undefined {
  const fields = typeof source === "string" ? fieldsOfText(source) : source;
  const key = name.toLowerCase();
  for (const field of fields) if (field.name === key) return field.value;
  return undefined;
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
