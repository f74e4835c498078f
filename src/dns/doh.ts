/**
 * The production resolver: DNS over HTTPS (RFC 8484) with the Worker's `fetch`, because a Worker
 * has no UDP socket and no system resolver. The endpoint is the `DOH_URL` var (Cloudflare's by
 * default; a local server in `wrangler dev`, see scripts/doh-server.mjs).
 *
 * Answers are kept in the isolate's cache (`defaultDnsCache`) whatever the resolver, so a resolver
 * per message costs nothing and is the safest use. Identical questions in flight are asked once
 * per resolver: DKIM, ARC and DMARC of one message often fetch the same key at the same moment.
 */
import { type DnsCache, defaultDnsCache } from "./cache";
import { DEFAULT_DOH_TIMEOUT_MS, exchangeQuery } from "./doh-exchange";
import { canonicalName } from "./domain-name";
import type { Outcome } from "./read-answer";
import { dnsError, isSupportedType, type Resolver, type SupportedType } from "./types";

export { DEFAULT_DOH_TIMEOUT_MS, DNS_MESSAGE_MEDIA_TYPE } from "./doh-exchange";

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
    const flight: Promise<Outcome> = exchangeQuery({ url, fetch: fetchFn, timeoutMs, edns: options.edns }, name, type)
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
