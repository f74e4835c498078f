/**
 * A per-isolate DNS cache. A Worker isolate serves many messages in a row, and the same names come
 * back each time (the sender domain's DMARC record, DKIM keys of the big providers), so answers
 * are kept for their TTL (RFC 1035 section 3.2.1) and negative answers briefly (RFC 2308 section 5).
 * Only settled outcomes (plain data) are shared across requests. Questions in flight are shared
 * inside one resolver (doh.ts) instead: workerd ties a pending fetch to the request that started it,
 * so another message must never wait on it (it could hang when that request ends).
 *
 * Errors other than "no such name / no such data" (timeouts, SERVFAIL) are never cached, so the
 * next message asks again.
 */
import type { Outcome } from "./read-answer";

/** Entries kept at most. An entry is a few hundred bytes (a DKIM key is the largest). */
const DEFAULT_MAX_ENTRIES = 1000;
/**
 * RFC 2308 section 5 lets a negative answer live for the SOA minimum, often hours. A key that was
 * just published must be found soon, so Facteur caps it.
 */
const DEFAULT_NEGATIVE_TTL_CAP_SECONDS = 60;
/** Caps positive TTLs too, so a rotated DKIM key or changed DMARC policy is seen within the hour. */
const DEFAULT_MAX_TTL_SECONDS = 3600;

export type DnsCacheOptions = {
  maxEntries?: number;
  negativeTtlCapSeconds?: number;
  maxTtlSeconds?: number;
};

export type DnsCache = {
  /** The outcome stored for `key` if still fresh at `nowMs`; a hit makes it the most recently used. */
  get(key: string, nowMs: number): Outcome | undefined;
  /** Stores `outcome` for its TTL, capped by kind; timeouts and server failures are not stored. */
  set(key: string, outcome: Outcome, nowMs: number): void;
  /** Entries stored now, expired ones included until they are touched or evicted. */
  readonly size: number;
  clear(): void;
};

type Entry = { outcome: Outcome; expiresAt: number };

const isNegative = (outcome: Outcome) => !outcome.ok && (outcome.code === "ENOTFOUND" || outcome.code === "ENODATA");

export function createDnsCache(options: DnsCacheOptions = {}): DnsCache {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const negativeCap = options.negativeTtlCapSeconds ?? DEFAULT_NEGATIVE_TTL_CAP_SECONDS;
  const positiveCap = options.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;
  if (!(maxEntries >= 1)) throw new RangeError("maxEntries must be at least 1");
  // A Map iterates in insertion order; re-inserting on every hit makes the first key the least
  // recently used one, which is evicted first.
  const entries = new Map<string, Entry>();

  return {
    get(key, nowMs) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= nowMs) return undefined;
      entries.set(key, entry);
      return entry.outcome;
    },
    set(key, outcome, nowMs) {
      const cap = outcome.ok ? positiveCap : isNegative(outcome) ? negativeCap : 0;
      const ttl = Math.min(outcome.ttl, cap);
      if (!(ttl > 0)) return;
      entries.delete(key);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      entries.set(key, { outcome, expiresAt: nowMs + ttl * 1000 });
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}

/**
 * The isolate's cache: module state lives as long as the isolate, so every `email()` call that
 * builds a DoH resolver without its own cache shares this one.
 */
export const defaultDnsCache: DnsCache = createDnsCache();
