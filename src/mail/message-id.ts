/**
 * Values copied from a received message into a message Facteur writes (In-Reply-To, References,
 * a Subject quoted in a notice) are checked here first: a value that carries a line break or any
 * other control character could add fields, or a whole body, to mail sent under our domain.
 */

/**
 * RFC 5322 section 3.6.4: msg-id = "<" id-left "@" id-right ">", both sides printable US-ASCII
 * without whitespace, angle brackets or a second "@" ("<" and ">" only as delimiters). Bounded at
 * 250 characters: one message identifier, not a payload.
 */
const MSG_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]{1,200}@[\x21-\x3b\x3d\x3f-\x7e]{1,200}>$/;
const MAX_MSG_ID = 250;

/** The value when it is exactly one well-formed msg-id, else undefined (the field is left out). */
export function validMessageId(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (trimmed.length > MAX_MSG_ID || !MSG_ID.test(trimmed)) return undefined;
  return trimmed.indexOf("@") === trimmed.lastIndexOf("@") ? trimmed : undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** Free text for a header field (a quoted Subject): every control character becomes a space. */
export function headerText(value: string): string {
  return value.replace(CONTROL, " ");
}

/** True when `value` contains a control character (CR, LF, NUL, ...): not for a generated field. */
export function hasControlCharacter(value: string): boolean {
  CONTROL.lastIndex = 0;
  const found = CONTROL.test(value);
  CONTROL.lastIndex = 0;
  return found;
}
