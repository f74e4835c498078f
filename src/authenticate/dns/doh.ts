/**
 * The production resolver: DNS over HTTPS (RFC 8484) with the Worker's `fetch`, because a Worker
 * has no UDP socket and no system resolver. The endpoint is the `DOH_URL` var (Cloudflare's by
 * default; a local server in `wrangler dev`, see scripts/doh-server.mjs).
 *
 * Answers are kept in the isolate's cache (`defaultDnsCache`) whatever the resolver, so a resolver
 * per message costs nothing and is the safest use. Identical questions in flight are asked once
 * per resolver: DKIM, ARC and DMARC of one message often fetch the same key at the same moment.
 */
import { log } from "../../log";
import { type DnsCache, defaultDnsCache } from "./cache";
import { canonicalName } from "./domain-name";
import { type Outcome, readAnswer } from "./read-answer";
import { dnsError, isSupportedType, type Resolver, type SupportedType } from "./types";
import { decodeMessage, encodeQuery, MAX_MESSAGE_OCTETS, randomId, WireFormatError } from "./wire";

/**
 * How long one lookup may take. mailauth's SPF check has its own overall limit (RFC 7208 section
 * 4.6.4 suggests 20 s); a DoH answer normally takes tens of milliseconds, so 5 s means the service
 * is down, and a temporary error makes the sender retry later.
 */
export const DEFAULT_DOH_TIMEOUT_MS = 5000;

/** RFC 8484 section 6: the media type of a DNS wire-format message. */
export const DNS_MESSAGE_MEDIA_TYPE = "application/dns-message";

export type DohResolverOptions = {
  /** The RFC 8484 endpoint, e.g. `https://cloudflare-dns.com/dns-query`. */
  url: string;
  /** Injected for tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; `Date.now` otherwise. Drives the cache, not the timeout. */
  now?: () => number;
  timeoutMs?: number;
  /** The answer cache; `defaultDnsCache` (per isolate) unless given, `false` for none. */
  cache?: DnsCache | false;
  /** Send an EDNS(0) OPT record (RFC 6891); on by default. */
  edns?: boolean;
};

/** Answers are copied out of the cache: mailauth sorts and annotates what it receives. */
function settle(outcome: Outcome, name: string): unknown {
  if (outcome.ok) return structuredClone(outcome.value);
  throw dnsError(outcome.code, name, outcome.detail);
}

export function createDohResolver(options: DohResolverOptions): Resolver {
  const url = options.url;
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOH_TIMEOUT_MS;
  const cache = options.cache === false ? undefined : (options.cache ?? defaultDnsCache);
  const pending = new Map<string, Promise<Outcome>>();

  async function exchange(name: string, type: SupportedType): Promise<Outcome> {
    const id = randomId();
    // RFC 8484 section 4.1 recommends id 0 for HTTP cache friendliness of GET; with POST nothing
    // caches the request, and a random id lets us check the response is ours (RFC 5452 section 9.2).
    const body = encodeQuery(name, type, { id, edns: options.edns });
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve({ ok: false, code: "ETIMEOUT", ttl: 0, detail: `no DoH answer within ${timeoutMs} ms` });
      }, timeoutMs);
    });
    const request = (async (): Promise<Outcome> => {
      const response = await fetchFn(url, {
        method: "POST",
        headers: { "content-type": DNS_MESSAGE_MEDIA_TYPE, accept: DNS_MESSAGE_MEDIA_TYPE },
        body,
        signal: controller.signal,
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        return { ok: false, code: "ESERVFAIL", ttl: 0, detail: `DoH server answered HTTP ${response.status}` };
      }
      const mediaType = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
      const declaredLength = Number(response.headers.get("content-length") ?? 0);
      if (mediaType !== DNS_MESSAGE_MEDIA_TYPE || declaredLength > MAX_MESSAGE_OCTETS) {
        await response.body?.cancel();
        return { ok: false, code: "EBADRESP", ttl: 0, detail: `DoH answer is not a DNS message (${mediaType})` };
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      return readAnswer(decodeMessage(bytes), { id, name, type });
    })().catch((error: unknown): Outcome => {
      if (controller.signal.aborted) {
        return { ok: false, code: "ETIMEOUT", ttl: 0, detail: `no DoH answer within ${timeoutMs} ms` };
      }
      if (error instanceof WireFormatError) return { ok: false, code: "EBADRESP", ttl: 0, detail: error.message };
      // A network failure is temporary (RFC 7208 section 5 temperror), like SERVFAIL.
      const detail = `DoH request failed: ${error instanceof Error ? error.message : String(error)}`;
      return { ok: false, code: "ESERVFAIL", ttl: 0, detail };
    });
    try {
      const outcome = await Promise.race([request, timeout]);
      if (!outcome.ok && ["ETIMEOUT", "ESERVFAIL", "EBADRESP"].includes(outcome.code)) {
        log({ stage: "authenticate", unit: "doh", outcome: outcome.code, name, type, detail: outcome.detail });
      }
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for another caller's exchange, but never longer than one exchange may take. */
  async function join(flight: Promise<Outcome>): Promise<Outcome | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    try {
      return await Promise.race([flight, giveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  function start(key: string, name: string, type: SupportedType): Promise<Outcome> {
    const flight: Promise<Outcome> = exchange(name, type)
      .then((outcome) => {
        cache?.set(key, outcome, now());
        return outcome;
      })
      .finally(() => {
        if (pending.get(key) === flight) pending.delete(key);
      });
    pending.set(key, flight);
    return flight;
  }

  return async (name, rrtype) => {
    const type = String(rrtype).toUpperCase();
    if (!isSupportedType(type)) throw dnsError("ENOTIMP", name, `record type ${rrtype}`);
    const key = `${url} ${type} ${canonicalName(name)}`;
    const cached = cache?.get(key, now());
    if (cached) return settle(cached, name);
    const inFlight = pending.get(key);
    if (inFlight) {
      // workerd ties a fetch to the request that started it and cancels it when that request
      // ends, so a resolver shared across messages could leave a joiner waiting forever. A
      // joiner that hears nothing within the timeout asks for itself.
      const joined = await join(inFlight);
      if (joined) return settle(joined, name);
    }
    return settle(await start(key, name, type), name);
  };
}
