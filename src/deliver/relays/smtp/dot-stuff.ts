/**
 * Message data for the SMTP DATA command.
 *
 * RFC 5321 section 2.3.8: lines end in CRLF, and a bare CR or LF must not be sent, so each one
 * becomes CRLF. Section 4.5.2 (transparency): a line starting with "." gets one more "." so it is
 * not read as the end of data; the receiver removes it. The data ends with CRLF before the
 * terminating ".CRLF" (`DATA_TERMINATOR`).
 *
 * Mail that went through DKIM signing was already canonicalised with CRLF line ends, so for
 * signed mail only the dot-stuffing changes bytes on the wire, and the receiver undoes it.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

export const DATA_TERMINATOR = new Uint8Array([DOT, CR, LF]);

/**
 * One pass over `raw` that converts line ends to CRLF, ensures a final CRLF and (with `stuff`)
 * doubles leading dots. Writes into `out` when given; returns the output length either way, so a
 * first call sizes the buffer (a 25 MiB message must not be copied through a growing array).
 */
function transform(raw: Uint8Array, stuff: boolean, out?: Uint8Array): number {
  let n = 0;
  let lineStart = true;
  const put = (byte: number) => {
    if (out) out[n] = byte;
    n += 1;
  };
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if (byte === CR || byte === LF) {
      put(CR);
      put(LF);
      // A CR directly followed by LF is one line break, not two.
      if (byte === CR && raw[i + 1] === LF) i += 1;
      lineStart = true;
      continue;
    }
    if (stuff && lineStart && byte === DOT) put(DOT);
    put(byte);
    lineStart = false;
  }
  if (!lineStart) {
    put(CR);
    put(LF);
  }
  return n;
}

/** Line ends as CRLF (bare CR and bare LF converted) and a final CRLF unless empty. */
export function normaliseLineEndings(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(transform(raw, false));
  transform(raw, false, out);
  return out;
}

/** Size of the message once its line ends are CRLF, as RFC 1870 section 3 counts it for SIZE=. */
export function smtpMessageSize(raw: Uint8Array): number {
  return transform(raw, false);
}

/** `raw` as DATA content: CRLF line ends and dot-stuffed, without the terminator. */
export function dotStuff(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(transform(raw, true));
  transform(raw, true, out);
  return out;
}

/** What a receiver does (RFC 5321 section 4.5.2, second half): drop one leading "." per line. */
export function dotUnstuff(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  let n = 0;
  let lineStart = true;
  for (const byte of data) {
    if (!(lineStart && byte === DOT)) out[n++] = byte;
    lineStart = byte === LF;
  }
  return out.subarray(0, n);
}

/** True when any byte has the high bit set (RFC 6152: such a body needs BODY=8BITMIME). */
export function hasEightBitBytes(bytes: Uint8Array): boolean {
  // Four bytes at a time over the aligned middle: a 25 MiB body is scanned once per transaction.
  const start = Math.min(bytes.length, (4 - (bytes.byteOffset % 4)) % 4);
  const words = Math.floor((bytes.length - start) / 4);
  for (let i = 0; i < start; i++) if (bytes[i]! > 0x7f) return true;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + start, words);
    for (let i = 0; i < view.length; i++) if ((view[i]! & 0x80808080) !== 0) return true;
  }
  for (let i = start + words * 4; i < bytes.length; i++) if (bytes[i]! > 0x7f) return true;
  return false;
}
