/**
 * The message as blocks of wire bytes, produced while writing, so that a 25 MiB body is never
 * copied whole a second time (the old path built a dot-stuffed copy before writing).
 *
 * - DATA (RFC 5321 section 4.5.2): CRLF line ends and leading dots doubled.
 * - BDAT (RFC 3030 section 2): the bytes as they are; only line ends are made CRLF, because a
 *   text message must still be in canonical form. No dot-stuffing, so already canonical mail
 *   (everything Facteur signs) is sent as subarrays of the stored body: zero copies.
 *
 * The byte counts equal `smtpMessageSize` (no stuffing) and `dotStuff(raw).length` (stuffing).
 */

import { bodyFact } from "./body-facts";
import { smtpMessageSize } from "./dot-stuff";

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** Bytes per socket write; each write has its own RFC 5321 section 4.5.3.2.5 timeout. */
export const DATA_BLOCK_BYTES = 64 * 1024;

/**
 * True when `raw` needs no change on the wire: every LF preceded by CR, no bare CR, it ends with
 * CRLF (or is empty) and, with `stuff`, no line begins with a dot. Scans with indexOf (native),
 * not a byte loop.
 */
export function isWireReady(raw: Uint8Array, stuff: boolean): boolean {
  if (raw.length === 0) return true;
  if (raw[raw.length - 1] !== LF || raw[raw.length - 2] !== CR) return false;
  if (stuff && raw[0] === DOT) return false;
  for (let lf = raw.indexOf(LF); lf >= 0; lf = raw.indexOf(LF, lf + 1)) {
    if (lf === 0 || raw[lf - 1] !== CR) return false;
    if (stuff && raw[lf + 1] === DOT) return false;
  }
  for (let cr = raw.indexOf(CR); cr >= 0; cr = raw.indexOf(CR, cr + 1)) {
    if (raw[cr + 1] !== LF) return false;
  }
  return true;
}

/** isWireReady, once per body (body-facts.ts). */
function wireReady(raw: Uint8Array, stuff: boolean): boolean {
  return bodyFact(raw, stuff ? "wire-ready-stuffed" : "wire-ready", (r) => isWireReady(r, stuff));
}

/**
 * The wire form of the message, in blocks of about `blockBytes` (at most twice that when
 * stuffing). Given parts, each is transformed on its own: every part but the last ends with a line
 * break (header lines put in front), so the result is that of the parts joined, without joining.
 */
export function* wireBlocks(
  message: Uint8Array | Uint8Array[],
  stuff: boolean,
  blockBytes = DATA_BLOCK_BYTES,
): Generator<Uint8Array> {
  for (const part of Array.isArray(message) ? message : [message]) yield* partBlocks(part, stuff, blockBytes);
}

function* partBlocks(raw: Uint8Array, stuff: boolean, blockBytes: number): Generator<Uint8Array> {
  if (wireReady(raw, stuff)) {
    for (let offset = 0; offset < raw.length; offset += blockBytes) yield raw.subarray(offset, offset + blockBytes);
    return;
  }
  let lineStart = true;
  let pendingCr = false;
  for (let offset = 0; offset < raw.length; offset += blockBytes) {
    const slice = raw.subarray(offset, offset + blockBytes);
    // Worst case: every byte a bare LF/CR (2 out) or a leading dot (2 out).
    const out = new Uint8Array(slice.length * 2 + 2);
    let n = 0;
    for (let i = 0; i < slice.length; i++) {
      const byte = slice[i]!;
      if (pendingCr) {
        pendingCr = false;
        // A CR directly followed by LF is one line break, not two (the CRLF is out already).
        if (byte === LF) continue;
      }
      if (byte === CR || byte === LF) {
        out[n++] = CR;
        out[n++] = LF;
        lineStart = true;
        pendingCr = byte === CR;
        continue;
      }
      if (stuff && lineStart && byte === DOT) out[n++] = DOT;
      out[n++] = byte;
      lineStart = false;
    }
    if (offset + blockBytes >= raw.length && !lineStart) {
      out[n++] = CR;
      out[n++] = LF;
    }
    yield out.subarray(0, n);
  }
}

/** The number of bytes `wireBlocks(message, false)` yields (BDAT needs it up front; RFC 1870 SIZE too). */
export function bdatSize(message: Uint8Array | Uint8Array[]): number {
  let size = 0;
  for (const raw of Array.isArray(message) ? message : [message]) {
    size += wireReady(raw, false) ? raw.length : bodyFact(raw, "size", smtpMessageSize);
  }
  return size;
}
