/**
 * Bounded gzip inflation (RFC 1952): the output is counted as it comes, and inflation stops at the
 * limit, so a gzip bomb costs at most the limit.
 *
 * fflate's synchronous stream, not the platform's DecompressionStream: workerd's applies no
 * backpressure to its writer (measured on the corpus' 612 kB bomb: all of it was accepted at once
 * and 8 MiB of output were already queued before the first read), so its output cannot be bounded
 * while inflating. Here each 4 KiB of input is inflated only after the previous output was counted.
 */
import { Gunzip } from "fflate";
import { concatBytes } from "./bytes";
import { INFLATE_INPUT_CHUNK } from "./limits";
import { ReportRejected } from "./rejected";

export interface Gunzipped {
  data: Uint8Array;
  /** The FNAME of the gzip header (RFC 1952 section 2.3.1), ISO 8859-1; null when absent. */
  name: string | null;
}

const FEXTRA = 0x04;
const FNAME = 0x08;

/** The original file name a reporter put in the gzip header, if any. */
export function gzipFileName(data: Uint8Array): string | null {
  const flags = data[3] ?? 0;
  if (!(flags & FNAME)) return null;
  let offset = 10;
  if (flags & FEXTRA) offset += 2 + ((data[10] ?? 0) | ((data[11] ?? 0) << 8));
  const end = data.indexOf(0, offset);
  if (end < 0) return null;
  return new TextDecoder("latin1").decode(data.subarray(offset, end));
}

export function gunzip(data: Uint8Array, limit: number): Gunzipped {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  let over = false;
  const inflater = new Gunzip((chunk, final) => {
    total += chunk.byteLength;
    if (total > limit) over = true;
    else if (chunk.byteLength) chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let offset = 0; offset < data.byteLength && !over; offset += INFLATE_INPUT_CHUNK) {
      const end = offset + INFLATE_INPUT_CHUNK;
      inflater.push(data.subarray(offset, end), end >= data.byteLength);
    }
  } catch (error) {
    if (!over) throw new ReportRejected(`gzip stream is damaged: ${(error as Error).message}`);
  }
  if (over) throw new ReportRejected(`gzip inflates past ${limit} bytes`);
  // A stream cut short ends without its final block and trailer (RFC 1952 section 2.2).
  if (!ended) throw new ReportRejected("gzip stream is truncated");
  return { data: concatBytes(chunks, total), name: gzipFileName(data) };
}
