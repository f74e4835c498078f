/**
 * Bounded read of `message.raw`. Email Routing streams up to 25 MiB; a Worker has 128 MB, so
 * we never buffer past the configured cap: the moment the running total exceeds it, the
 * stream is cancelled and the caller answers 552 5.3.4 (RFC 3463: message too big for system).
 */
import { concatBytes } from "../mail/bytes";

export type ReadResult = { ok: true; bytes: Uint8Array } | { ok: false; bytesRead: number };

export async function readBounded(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  announcedSize?: number,
): Promise<ReadResult> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Email Routing announces the size (message.rawSize): fill one buffer of that size in place.
  // Keeping the chunks and joining them at the end holds the message twice at the peak (50 MB
  // for a 25 MiB message, of the Worker's 128 MB). A wrong announcement falls back to chunks.
  let buffer =
    announcedSize !== undefined && announcedSize > 0 && announcedSize <= maxBytes
      ? new Uint8Array(announcedSize)
      : null;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Stop the transfer instead of draining the rest: the decision is already known.
      await reader.cancel("message exceeds size limit").catch(() => undefined);
      return { ok: false, bytesRead: total };
    }
    if (buffer && total <= buffer.byteLength) {
      buffer.set(value, total - value.byteLength);
      continue;
    }
    if (buffer) {
      chunks.push(buffer.subarray(0, total - value.byteLength));
      buffer = null;
    }
    chunks.push(value);
  }
  // A shorter stream than announced: copy out what came, so the big buffer is not kept alive.
  if (buffer) return { ok: true, bytes: total === buffer.byteLength ? buffer : buffer.slice(0, total) };
  if (chunks.length === 1 && chunks[0]) return { ok: true, bytes: chunks[0] };
  return { ok: true, bytes: concatBytes(chunks) };
}
