/**
 * Bytes of a message as Facteur handles them: joined without copying more than once, and held as
 * "binary" strings (one char per byte, latin1) where a header is edited as text, so that 8-bit
 * bytes (SMTPUTF8 headers, bodies in any charset) survive the round trip unchanged.
 */

/** The parts one after the other, in a new array (an array of parts: a stream may give thousands). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Spreading more than this into String.fromCharCode overflows the call stack. */
const CHUNK = 0x8000;

/** One char per byte (latin1). */
export function toBinaryString(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += CHUNK) out += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return out;
}

/** The inverse of toBinaryString; a char above 0xff keeps its low byte only. */
export function fromBinaryString(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
