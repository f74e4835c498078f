/**
 * Bounded read of `message.raw`. Email Routing streams up to 25 MiB; a Worker has 128 MB, so
 * we never buffer past the configured cap: the moment the running total exceeds it, the
 * stream is cancelled and the caller answers 552 5.3.4 (RFC 3463: message too big for system).
 */
export type ReadResult = { ok: true; bytes: Uint8Array } | { ok: false; bytesRead: number };

export async function readBounded(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<ReadResult> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Stop the transfer instead of draining the rest: the decision is already known.
      await reader.cancel("message exceeds size limit").catch(() => undefined);
      return { ok: false, bytesRead: total };
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return { ok: true, bytes: chunks[0] };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}
