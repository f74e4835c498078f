/**
 * Writing a flight of pieces (commands, message blocks, terminator) to the socket in writes of
 * about DATA_BLOCK_BYTES, shared by the single transaction and the pipelined window.
 */
import type { SmtpConnection } from "./connection";
import { DATA_BLOCK_BYTES } from "./data-blocks";

/** Room for the commands (or the terminator) beside a full block in one write. */
const FLIGHT_SLACK_BYTES = 16 * 1024;

/**
 * Writes pieces joined into writes of about DATA_BLOCK_BYTES, so that a flight's last bytes (the
 * terminator, a small message after its commands) never go in a small write of their own: a small
 * write behind unacknowledged data waits for the peer's delayed ACK (Nagle, RFC 896 and RFC 1122
 * section 4.2.3.2), up to 40 ms per transaction. A piece that fills a write alone goes uncopied.
 */
export async function writeFlight(
  conn: SmtpConnection,
  pieces: Iterable<Uint8Array>,
  step: string,
  timeoutMs: number,
): Promise<void> {
  let pending: Uint8Array[] = [];
  let bytes = 0;
  const flush = async () => {
    await conn.write(pending.length === 1 ? pending[0]! : concat(pending, bytes), step, timeoutMs);
    pending = [];
    bytes = 0;
  };
  for (const piece of pieces) {
    if (bytes > 0 && bytes + piece.length > DATA_BLOCK_BYTES + FLIGHT_SLACK_BYTES) await flush();
    pending.push(piece);
    bytes += piece.length;
  }
  if (bytes > 0) await flush();
}

/** Pieces in order, lazily: the message blocks are produced while the previous ones are written. */
export function* flight(head: Uint8Array[], blocks: Iterable<Uint8Array>, tail?: Uint8Array): Generator<Uint8Array> {
  yield* head;
  yield* blocks;
  if (tail) yield tail;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
