/**
 * DKIM verification (RFC 6376 section 6): mailauth's dkimVerify() for a message that is already in
 * memory, without its per-byte work.
 *
 * Why: profiling the inbound path (bench/profile.mjs) showed that for a 2 MB message about half
 * of all time went to three JavaScript loops over every byte, and for 20 KB a good share to
 * stream plumbing, none of it cryptography:
 * - `writeToStream` feeds the buffer through a Node Writable in 64 KiB chunks with a
 *   setImmediate between them;
 * - `ensureLinebreaks` visits every byte to turn bare LF into CRLF, although mail that came over
 *   SMTP has none (RFC 5321 section 2.3.8);
 * - the relaxed body hash (RFC 6376 section 3.4.4) visits every byte looking for lines to fix,
 *   although most lines (base64 above all) need nothing;
 * - the header/body split copies a 4-byte window array for every header byte.
 * Each fast path below finds, with the native Buffer.indexOf, that the input needs none of the
 * slow path's changes, and otherwise hands the same input to mailauth's own code, so the result
 * is identical by construction. test/property/dkim-fast-path.test.ts checks that with random
 * bodies and chunkings against mailauth's unmodified classes.
 */
import { Buffer } from "node:buffer";
import type { DKIMVerifyResult } from "mailauth";
import { RelaxedHash } from "mailauth/lib/dkim/body/relaxed";
import { DkimVerifier } from "mailauth/lib/dkim/dkim-verifier";
import { getPublicKey, toALabel } from "mailauth/lib/tools";
import type { Resolver } from "../dns/types";

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const TWO_SPACES = Buffer.from("  ");
const SPACE_CRLF = Buffer.from(" \r\n");

/** True when every LF in `chunk` follows a CR (the one before `chunk` is `lastByte`). */
function hasOnlyCrlf(chunk: Buffer, lastByte: number | undefined): boolean {
  for (let lf = chunk.indexOf(LF); lf >= 0; lf = chunk.indexOf(LF, lf + 1)) {
    const before = lf === 0 ? lastByte : chunk[lf - 1];
    if (before !== CR) return false;
  }
  return true;
}

/** Next offset at or after `from` where `needle` occurs, or Infinity. */
function nextIndex(chunk: Buffer, needle: number | Buffer, from: number): number {
  const at = chunk.indexOf(needle, from);
  return at < 0 ? Number.POSITIVE_INFINITY : at;
}

/** Next LF at or after `from` that does not follow a CR (or starts the chunk), or Infinity. */
function nextBareLf(chunk: Buffer, from: number): number {
  for (let lf = chunk.indexOf(LF, from); lf >= 0; lf = chunk.indexOf(LF, lf + 1)) {
    if (lf === 0 || chunk[lf - 1] !== CR) return lf;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * RelaxedHash.update(input) with the byte loop run only on the lines that need rewriting: those
 * with an HTAB, a run of spaces, a space before the line break, or a bare LF (the cases the loop
 * looks for). Runs of clean complete lines are hashed as they are, which is what the loop ends up
 * doing for them; each dirty line goes through mailauth's own update(); a trailing partial line
 * is kept as the remainder, as the loop keeps it.
 */
export function relaxedUpdate(hash: RelaxedHash, input: Buffer): void {
  const byteLength = hash.byteLength + input.length;
  const chunk = hash.remainder && hash.remainder.length ? Buffer.concat([hash.remainder, input]) : input;
  hash.remainder = false;
  let tab = nextIndex(chunk, TAB, 0);
  let spaces = nextIndex(chunk, TWO_SPACES, 0);
  let spaceCrlf = nextIndex(chunk, SPACE_CRLF, 0);
  let bareLf = nextBareLf(chunk, 0);
  let start = 0;
  while (start < chunk.length) {
    if (tab < start) tab = nextIndex(chunk, TAB, start);
    if (spaces < start) spaces = nextIndex(chunk, TWO_SPACES, start);
    if (spaceCrlf < start) spaceCrlf = nextIndex(chunk, SPACE_CRLF, start);
    if (bareLf < start) bareLf = nextBareLf(chunk, start);
    const dirty = Math.min(tab, spaces, spaceCrlf, bareLf);
    // Complete clean lines before the dirty one (or before the end) go straight to the hash.
    const cleanEnd =
      dirty === Number.POSITIVE_INFINITY
        ? chunk.lastIndexOf(LF) + 1
        : dirty === 0
          ? 0
          : chunk.lastIndexOf(LF, dirty - 1) + 1;
    if (cleanEnd > start) hash._pushBodyHash(chunk.subarray(start, cleanEnd));
    start = Math.max(start, cleanEnd);
    if (dirty === Number.POSITIVE_INFINITY) break;
    // The dirty line, through its LF, goes through mailauth's byte loop; a dirty last line
    // without LF is left to it as the remainder, to be finished with the next chunk.
    const lineEnd = chunk.indexOf(LF, dirty);
    const end = lineEnd < 0 ? chunk.length : lineEnd + 1;
    hash.update(chunk.subarray(start, end));
    start = end;
  }
  if (start < chunk.length && !hash.remainder) hash.remainder = chunk.subarray(start);
  hash.byteLength = byteLength;
}

/** The header/body split point as MessageParser.processChunk finds it, or -1. */
function headerEnd(chunk: Buffer): number {
  for (let lf = chunk.indexOf(LF); lf >= 0; lf = chunk.indexOf(LF, lf + 1)) {
    if (lf === 0 || chunk[lf - 1] === LF || (chunk[lf - 1] === CR && (lf === 1 || chunk[lf - 2] === LF))) return lf;
  }
  return -1;
}

type Lookup = (name: string, type: string) => Promise<unknown>;
type ParsedKey = Awaited<ReturnType<typeof getPublicKey>>;

/**
 * Parsed DKIM/ARC public keys kept across messages. A key record is parsed (tag list, base64
 * check, DER import, PEM export) on every message otherwise, twice per forwarded message. Each
 * entry is keyed by the record text itself, and the record is still asked of the resolver for every
 * message, so a key is never used longer than its DNS answer (the DNS cache keeps that to the TTL,
 * dns/cache.ts) and a rotated key is seen at once. Bounded: a hostile sender can name many keys.
 */
export const MAX_PARSED_KEYS = 500;
const parsedKeys = new Map<string, ParsedKey>();

/** mailauth's per-message key cache (tools.js createKeyCache), backed by `parsedKeys`. */
function keyCacheFor(resolver: Lookup) {
  const perMessage = new Map<string, Promise<ParsedKey>>();
  const lookup = async (
    type: string,
    name: string,
    minBitLength: number | undefined,
    options: { strict?: boolean; hashAlgo?: string },
  ) => {
    const list = await resolver(toALabel(name), "TXT");
    // The record text exactly as getPublicKey reads it.
    const rr = ([] as unknown[])
      .concat((list as unknown[][] | undefined)?.[0] ?? [])
      .join("")
      .replace(/\s+/g, "");
    const key = [Boolean(options.strict), minBitLength ?? "", options.hashAlgo ?? "", rr].join(":");
    let parsed = parsedKeys.get(key);
    if (!parsed) {
      parsed = await getPublicKey(type, name, minBitLength, async () => list, options);
      if (parsedKeys.size >= MAX_PARSED_KEYS) parsedKeys.delete(parsedKeys.keys().next().value as string);
      parsedKeys.set(key, parsed);
    }
    // Callers add their own warnings to the copy they get.
    return { ...parsed, warnings: [...(parsed.warnings ?? [])] };
  };
  return {
    resolver,
    get(type: string, name: string, minBitLength?: number, options: { strict?: boolean; hashAlgo?: string } = {}) {
      const id = [Boolean(options.strict), minBitLength ?? "", options.hashAlgo ?? "", name].join(":");
      let pending = perMessage.get(id);
      if (!pending) {
        pending = lookup(type, name, minBitLength, options);
        // As in mailauth: a prefetched lookup may fail before anything awaits it.
        pending.catch(() => false);
        perMessage.set(id, pending);
      }
      return pending;
    },
  };
}

class InMemoryDkimVerifier extends DkimVerifier {
  constructor(options: Record<string, unknown>) {
    super(options);
    if (typeof this.resolver !== "function") return;
    // ARC validation picks this cache up through the hidden arc.keyCache (same resolver).
    this.keyCache = keyCacheFor(this.resolver as Lookup);
    Object.defineProperty(this.arc, "keyCache", {
      value: this.keyCache,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }

  override *ensureLinebreaks(input: Buffer): Generator<Buffer> {
    if (!hasOnlyCrlf(input, this.lastByte)) {
      yield* super.ensureLinebreaks(input);
      return;
    }
    if (input.length > 0) this.lastByte = input[input.length - 1];
    yield input;
  }

  override async processChunk(chunk: Buffer): Promise<void> {
    // Only the very first chunk of a message takes the fast path; anything else (a header that
    // spans chunks, pieces split at bare LFs) goes through mailauth's byte loop.
    if (this.state !== "header" || this.headerBytes !== 0 || !chunk?.length) return super.processChunk(chunk);
    const end = headerEnd(chunk);
    if (end < 0) return super.processChunk(chunk);
    this.headerBytes = end + 1;
    if (end === chunk.length - 1) return this.emitHeaders(chunk);
    await this.emitHeaders(chunk.subarray(0, end + 1));
    await this.nextChunk(chunk.subarray(end + 1));
  }

  override async nextChunk(chunk: Buffer): Promise<void> {
    for (const hash of this.bodyHashes.values()) {
      if (hash instanceof RelaxedHash) relaxedUpdate(hash, chunk);
      else hash.update(chunk);
    }
  }
}

export interface DkimVerifyOptions {
  resolver: Resolver;
  /** SMTP MAIL FROM, if not null (mailauth falls back to Return-Path). */
  sender?: string;
  /** Keys shorter than this are not valid (RFC 8301 section 3.2); mailauth's default is 1024. */
  minBitLength?: number;
  /** The time signature expiry is checked against (tests pin it). */
  curTime?: Date;
}

export type DkimVerifyResult = DKIMVerifyResult;

/** dkimVerify(input, options) for a Buffer, with the same result (mailauth/lib/dkim/verify.js). */
export async function verifyDkim(input: Buffer, options: DkimVerifyOptions): Promise<DkimVerifyResult> {
  const verifier = new InMemoryDkimVerifier(options as unknown as Record<string, unknown>);
  // One write of the whole message and the end of input: what writeToStream does, minus the
  // 64 KiB slicing and the event-loop turn between slices.
  await verifier.writeAsync(input);
  await verifier.finish();
  const result = {
    headerFrom: verifier.headerFrom,
    fromFields: verifier.fromFields,
    envelopeFrom: verifier.envelopeFrom,
    results: verifier.results,
  };
  // mailauth hides these from enumeration (they are large); keep the same shape.
  for (const key of ["headers", "arc", "seal"] as const) {
    if (verifier[key])
      Object.defineProperty(result, key, {
        enumerable: false,
        configurable: false,
        writable: false,
        value: verifier[key],
      });
  }
  return result as unknown as DkimVerifyResult;
}
