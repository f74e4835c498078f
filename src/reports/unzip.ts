/**
 * Bounded zip extraction (PKWARE APPNOTE) with fflate's streaming reader, which also reads
 * archives written in a streaming fashion (sizes in a data descriptor after the data, APPNOTE
 * 4.3.9). Declared sizes are refused up front; inflated bytes are counted as they come, because a
 * declared size can lie.
 */
import { Unzip, UnzipInflate } from "fflate";
import { concatBytes } from "./bytes";
import { INFLATE_INPUT_CHUNK, MAX_INFLATED_TOTAL_BYTES, MAX_ZIP_ENTRIES } from "./limits";
import { ReportRejected } from "./rejected";

export interface ZipMember {
  name: string;
  data: Uint8Array;
}

interface Pending {
  name: string;
  chunks: Uint8Array[];
  bytes: number;
  done: boolean;
}

export function unzip(data: Uint8Array, memberLimit: number): ZipMember[] {
  const members: Pending[] = [];
  let entries = 0;
  let total = 0;
  let failure: string | null = null;
  const reader = new Unzip((file) => {
    if (failure) return;
    entries++;
    if (entries > MAX_ZIP_ENTRIES) {
      failure = `zip holds more than ${MAX_ZIP_ENTRIES} entries`;
      return;
    }
    // Directory entries carry no data (APPNOTE 4.3.8).
    if (file.name.endsWith("/")) return;
    if (file.originalSize !== undefined && file.originalSize > memberLimit) {
      failure = `zip member declares ${file.originalSize} bytes uncompressed, over ${memberLimit}`;
      return;
    }
    const pending: Pending = { name: file.name, chunks: [], bytes: 0, done: false };
    members.push(pending);
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        failure = `zip member ${file.name} is damaged: ${error.message}`;
        return;
      }
      pending.bytes += chunk.byteLength;
      total += chunk.byteLength;
      if (pending.bytes > memberLimit || total > MAX_INFLATED_TOTAL_BYTES) {
        failure = `zip member ${file.name} inflates past ${memberLimit} bytes`;
        file.terminate();
        return;
      }
      if (chunk.byteLength) pending.chunks.push(chunk);
      if (final) pending.done = true;
    };
    file.start();
  });
  reader.register(UnzipInflate);
  try {
    for (let offset = 0; offset < data.byteLength && !failure; offset += INFLATE_INPUT_CHUNK) {
      const end = offset + INFLATE_INPUT_CHUNK;
      reader.push(data.subarray(offset, end), end >= data.byteLength);
    }
  } catch (error) {
    failure ??= `not a readable zip: ${(error as Error).message}`;
  }
  if (failure) throw new ReportRejected(failure);
  const unfinished = members.find((m) => !m.done);
  if (unfinished) throw new ReportRejected(`zip is truncated inside member ${unfinished.name}`);
  if (members.length === 0) throw new ReportRejected("zip archive has no file members");
  return members.map((m) => ({ name: m.name, data: concatBytes(m.chunks, m.bytes) }));
}
