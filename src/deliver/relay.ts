/**
 * The one interface every outbound relay implements (SMTP submission, Cloudflare send_email,
 * Mailgun raw MIME, the dev capture relay). The queue consumer only ever sees this.
 */
import type { DeliveryOrigin } from "../core/jobs";
import type { ConnectionBudget } from "./connection-budget";

/** SMTP envelope (RFC 5321 section 2.3.1). An empty `mailFrom` is the null reverse-path `<>`. */
export interface Envelope {
  mailFrom: string;
  rcptTo: string[];
}

/**
 * What happened to one recipient. Classification follows RFC 5321 section 4.2.1:
 * 2xx sent; 4xx, timeouts and connection errors temporary; 5xx permanent.
 */
export type RecipientStatus = "sent" | "temporary" | "permanent";

export interface RecipientOutcome {
  rcpt: string;
  status: RecipientStatus;
  /** The SMTP reply (or the provider's answer mapped to one), e.g. "250 2.0.0 Ok: queued as 1234". */
  reply: string;
  /** For a temporary failure: the provider asked not to retry sooner (HTTP Retry-After, RFC 9110 section 10.2.3). */
  retryAfterSeconds?: number;
  /**
   * The relay's own account or configuration failed (authentication, quota, sender not verified):
   * temporary, recorded as `relay-error` for the operator, never a recipient's fault.
   */
  relayError?: true;
  /** For a sent copy: the relay's id of it, when the relay gives one (send_email's messageId). */
  providerMessageId?: string;
}

/** One send of `sendMany`: the arguments `send` would take. */
export interface RelayItem {
  envelope: Envelope;
  raw: Uint8Array;
  prefix?: Uint8Array;
}

export interface Relay {
  /** Short name for logs and the deliveries table, e.g. "smtp", "mailgun", "capture". */
  readonly name: string;
  /** Most recipients one `send` accepts (the consumer splits larger batches). */
  readonly maxRecipients: number;
  /** Largest message the relay takes, in bytes, or undefined when only the server can tell. */
  readonly maxMessageBytes?: number;
  /**
   * True when `send` takes a `prefix` (header lines sent before `raw`, e.g. a list member's own
   * List-Unsubscribe) without joining them into a copy of the message. Callers give a prefix only
   * to relays that say so, and join the bytes themselves otherwise.
   */
  readonly acceptsPrefix?: boolean;
  /**
   * Hand `raw` (the exact bytes: signed and sealed mail must arrive unchanged), after `prefix`
   * when given, to the relay. Returns one outcome per envelope recipient. Never throws for an
   * SMTP/HTTP failure: those are outcomes. Throws only on a programming error.
   */
  send(envelope: Envelope, raw: Uint8Array, prefix?: Uint8Array): Promise<RecipientOutcome[]>;
  /**
   * Optional: many sends at once, each reported (in any order, awaited before this resolves) as
   * soon as its outcomes are known. The SMTP relay pipelines them across transactions (RFC 2920
   * section 3.1 with RFC 3030 BDAT); the outcomes are those `send` would give.
   */
  sendMany?(items: RelayItem[], report: (index: number, outcomes: RecipientOutcome[]) => Promise<void>): Promise<void>;
  /** Why this relay will not carry mail of this origin (its provider's policy), or null. */
  refusesOrigin?(origin: DeliveryOrigin): string | null;
  /**
   * Optional: a view of this relay whose sends share connections (SMTP sessions) until `close()`.
   * Open one per invocation (a Worker cannot use a socket across requests) with the invocation's
   * connection budget; `RelayScope` does it.
   */
  openScope?(budget?: ConnectionBudget): ScopedRelay;
}

export interface ScopedRelay extends Relay {
  /** Ends every connection the scope opened (QUIT). */
  close(): Promise<void>;
}
