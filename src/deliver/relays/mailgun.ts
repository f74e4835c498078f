/**
 * The Mailgun relay: `POST {baseUrl}/v3/{domain}/messages.mime`, which takes the message as raw
 * MIME, so DKIM-signed and ARC-sealed bytes arrive unchanged (unlike the field-based
 * /messages endpoint, which rebuilds the message).
 *
 * Mailgun chooses the SMTP envelope sender itself (its bounce address for the domain), so
 * `envelope.mailFrom` is not transmitted; Mailgun handles bounces and reports them in its logs.
 *
 * Answer mapping (Mailgun API docs, "Sending" and "Errors"):
 *   200                      sent, for every recipient (Mailgun queued the message)
 *   429, 5xx, 408, network   temporary (rate limit, outage); a Retry-After is kept on the outcome
 *                            so the consumer does not retry sooner
 *   401, 402, 404            temporary and a relay error (wrong key, account/domain disabled,
 *                            unknown domain): the operator's to fix; no recipient is at fault
 *   400, 413, other 4xx      permanent (bad request, too large): the same request fails again
 */
import { log } from "../../core/log";
import { ConnectionBudget, type ConnectionHolder } from "../connection-budget";
import type { Envelope, RecipientOutcome, RecipientStatus, Relay, ScopedRelay } from "../relay";
import type { RelayConfig } from "./config";

/** Mailgun accepts at most 1,000 recipients per message. */
export const MAILGUN_MAX_RECIPIENTS = 1000;
/** Mailgun's maximum message size is 25 MB. */
export const MAILGUN_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
/** A request that hangs longer is abandoned and retried later (temporary). */
export const MAILGUN_TIMEOUT_MS = 60_000;
/** Requests in flight at once through one scope (an invocation), within its connection budget. */
export const MAILGUN_CONCURRENCY = 4;
/** Provider error text kept in a reply: enough to diagnose, never a whole HTML error page. */
const MAX_DETAIL_CHARS = 300;

export interface MailgunRelayOptions {
  /** Injected in tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Request timeout in ms (default MAILGUN_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** Mailgun answers about the operator's account, not the message or its recipients. */
const ACCOUNT_ERRORS = new Set([401, 402, 404]);

function statusOf(httpStatus: number): RecipientStatus {
  if (httpStatus >= 200 && httpStatus < 300) return "sent";
  if (ACCOUNT_ERRORS.has(httpStatus)) return "temporary";
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500 || httpStatus < 200) return "temporary";
  // Other 4xx (400, 401, 402, 404, 413, ...): the request itself is refused.
  if (httpStatus >= 400) return "permanent";
  return "temporary";
}

/** An SMTP-shaped reply for the deliveries log and DSNs, e.g. "554 5.0.0 Mailgun HTTP 400: ...". */
function replyFor(httpStatus: number, detail: string): string {
  const status = statusOf(httpStatus);
  if (status === "sent") return `250 2.0.0 Mailgun: ${detail}`;
  if (httpStatus === 401) return `451 4.7.8 Mailgun HTTP 401: ${detail} (check the API key in RELAY_URL)`;
  if (ACCOUNT_ERRORS.has(httpStatus))
    return `451 4.3.5 Mailgun HTTP ${httpStatus}: ${detail} (check the Mailgun account)`;
  if (status === "temporary") return `451 4.0.0 Mailgun HTTP ${httpStatus}: ${detail}`;
  return `554 5.0.0 Mailgun HTTP ${httpStatus}: ${detail}`;
}

/** The `message` of Mailgun's JSON answer, or the text itself, on one bounded line. */
async function detailOf(response: Response): Promise<{ text: string; id?: string }> {
  const body = await response.text().catch(() => "");
  let text = body;
  let id: string | undefined;
  try {
    const json = JSON.parse(body) as { message?: unknown; id?: unknown };
    if (typeof json.message === "string") text = json.message;
    if (typeof json.id === "string") id = json.id;
  } catch {
    // Not JSON (Mailgun answers 401 with a plain "Forbidden"): keep the text.
  }
  text = text.replace(/\s+/g, " ").trim().slice(0, MAX_DETAIL_CHARS) || response.statusText || "no detail";
  return { text, id };
}

/** RFC 9110 section 10.2.3: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** At most `limit` requests at once, each holding one slot of the invocation's budget. */
class RequestGate implements ConnectionHolder {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(
    private readonly limit: number,
    private readonly budget: ConnectionBudget,
  ) {
    budget.join(this);
  }
  async run<T>(task: () => Promise<T>): Promise<T> {
    while (this.inFlight >= this.limit || !this.budget.tryTake(this)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight += 1;
    try {
      return await task();
    } finally {
      this.inFlight -= 1;
      this.budget.give();
    }
  }
  reclaimIdle(): boolean {
    return false;
  }
  wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

function basicAuth(apiKey: string): string {
  const bytes = new TextEncoder().encode(`api:${apiKey}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

export function createMailgunRelay(
  config: Extract<RelayConfig, { kind: "mailgun" }>,
  options: MailgunRelayOptions = {},
): Relay {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? MAILGUN_TIMEOUT_MS;
  const endpoint = `${config.baseUrl}/v3/${encodeURIComponent(config.domain)}/messages.mime`;

  async function send(envelope: Envelope, raw: Uint8Array, prefix?: Uint8Array): Promise<RecipientOutcome[]> {
    if (envelope.rcptTo.length === 0) return [];
    const size = raw.length + (prefix?.length ?? 0);
    if (size > MAILGUN_MAX_MESSAGE_BYTES) {
      const reply = `552 5.3.4 Mailgun: the message is ${size} bytes, over Mailgun's limit of ${MAILGUN_MAX_MESSAGE_BYTES}`;
      return envelope.rcptTo.map((rcpt) => ({ rcpt, status: "permanent", reply }));
    }
    const form = new FormData();
    // One `to` field per recipient: Mailgun would split a joined list on commas, which can also
    // appear inside a quoted local part.
    for (const rcpt of envelope.rcptTo) form.append("to", rcpt);
    // A file part carries the bytes as they are; a text field would be re-encoded as UTF-8.
    // The prefix and the stored message as two blob parts: joined on the wire, not in memory.
    const parts = prefix ? [prefix, raw] : [raw];
    form.append("message", new File(parts, "message.eml", { type: "message/rfc822" }));

    let status: RecipientStatus;
    let reply: string;
    let retryAfter: number | undefined;
    let relayError = false;
    try {
      const response = await doFetch(endpoint, {
        method: "POST",
        headers: { authorization: basicAuth(config.apiKey) },
        body: form,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const detail = await detailOf(response);
      status = statusOf(response.status);
      relayError = ACCOUNT_ERRORS.has(response.status);
      reply = replyFor(response.status, detail.id ? `${detail.text} id=${detail.id}` : detail.text);
      if (status === "temporary") retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
      if (retryAfter !== undefined) reply += ` (Retry-After ${retryAfter} s)`;
    } catch (error) {
      status = "temporary";
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      reply = timedOut
        ? `451 4.4.2 Mailgun: no answer within ${timeoutMs} ms`
        : `451 4.4.1 Mailgun: request failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    log({ stage: "deliver", unit: "mailgun-relay", outcome: status, recipients: envelope.rcptTo.length, reply });
    return envelope.rcptTo.map((rcpt) => ({
      rcpt,
      status,
      reply,
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
      ...(relayError ? { relayError: true as const } : {}),
    }));
  }

  const base = {
    name: "mailgun",
    maxRecipients: MAILGUN_MAX_RECIPIENTS,
    maxMessageBytes: MAILGUN_MAX_MESSAGE_BYTES,
    acceptsPrefix: true,
  };
  function openScope(budget: ConnectionBudget = new ConnectionBudget()): ScopedRelay {
    const gate = new RequestGate(MAILGUN_CONCURRENCY, budget);
    return {
      ...base,
      send: (envelope, raw, prefix) => gate.run(() => send(envelope, raw, prefix)),
      close: async () => {},
    };
  }
  return { ...base, send, openScope };
}
