/**
 * One RFC 8484 exchange: a wire-format query POSTed to the DoH endpoint (section 4.1), the
 * response read as an Outcome. Every way it can go wrong becomes an error code, never an
 * exception: HTTP errors and network failures are temporary (ESERVFAIL), no answer in time is
 * ETIMEOUT, a body that is not the answer to our question is EBADRESP.
 */
import { log } from "../core/log";
import { decodeMessage } from "./decode-message";
import { type Outcome, readAnswer } from "./read-answer";
import type { SupportedType } from "./types";
import { encodeQuery, MAX_MESSAGE_OCTETS, randomId, WireFormatError } from "./wire";

/**
 * How long one lookup may take. A DoH answer normally takes tens of milliseconds, so 5 s means the
 * service is down, and the checks report a temporary error (RFC 7208 section 2.6.6 temperror).
 * mailauth's SPF evaluation has its own overall limit (RFC 7208 section 4.6.4: at least 20 s).
 */
export const DEFAULT_DOH_TIMEOUT_MS = 5000;

/** RFC 8484 section 6: the media type of a DNS wire-format message. */
export const DNS_MESSAGE_MEDIA_TYPE = "application/dns-message";

export type ExchangeOptions = {
  url: string;
  fetch: typeof fetch;
  timeoutMs: number;
  edns?: boolean;
};

const failure = (code: "ETIMEOUT" | "ESERVFAIL" | "EBADRESP", detail: string): Outcome => ({
  ok: false,
  code,
  ttl: 0,
  detail,
});

export async function exchangeQuery(options: ExchangeOptions, name: string, type: SupportedType): Promise<Outcome> {
  const { url, timeoutMs } = options;
  const id = randomId();
  // RFC 8484 section 4.1 recommends id 0 for HTTP cache friendliness of GET; with POST nothing
  // caches the request, and a random id lets us check the response is ours (RFC 5452 section 9.2).
  const body = encodeQuery(name, type, { id, edns: options.edns });
  const controller = new AbortController();
  const timedOut = () => failure("ETIMEOUT", `no DoH answer within ${timeoutMs} ms`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Raced rather than trusted to the abort signal alone, so a fetch that ignores it still ends.
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(timedOut());
    }, timeoutMs);
  });
  const request = (async (): Promise<Outcome> => {
    const response = await options.fetch(url, {
      method: "POST",
      headers: { "content-type": DNS_MESSAGE_MEDIA_TYPE, accept: DNS_MESSAGE_MEDIA_TYPE },
      body,
      signal: controller.signal,
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      return failure("ESERVFAIL", `DoH server answered HTTP ${response.status}`);
    }
    const mediaType = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== DNS_MESSAGE_MEDIA_TYPE) {
      await response.body?.cancel();
      return failure("EBADRESP", `DoH answer is not a DNS message (${mediaType})`);
    }
    if (Number(response.headers.get("content-length") ?? 0) > MAX_MESSAGE_OCTETS) {
      await response.body?.cancel();
      return failure("EBADRESP", "DoH answer longer than a DNS message can be");
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    return readAnswer(decodeMessage(bytes), { id, name, type });
  })().catch((error: unknown): Outcome => {
    if (controller.signal.aborted) return timedOut();
    if (error instanceof WireFormatError) return failure("EBADRESP", error.message);
    // A network failure is temporary (RFC 7208 section 5 temperror), like SERVFAIL.
    return failure("ESERVFAIL", `DoH request failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  try {
    const outcome = await Promise.race([request, timeout]);
    if (!outcome.ok && (outcome.code === "ETIMEOUT" || outcome.code === "ESERVFAIL" || outcome.code === "EBADRESP")) {
      log({ stage: "authenticate", unit: "doh", outcome: outcome.code, name, type, detail: outcome.detail });
    }
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}
