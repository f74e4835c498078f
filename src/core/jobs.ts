/**
 * The jobs this Worker puts on its queues (core/queues.ts), as plain shapes: the delivery job and
 * the list fan-out page. Producers (deliver/enqueue.ts, lists/fanout.ts) build them and the
 * runners decode them (deliver/job.ts, lists/fanout-job.ts).
 *
 * The delivery job: what goes on DELIVERY_QUEUE. The raw message lives in R2 (Queue messages are at
 * most 128 KB, DESIGN.md), so a job carries the R2 key, the envelope and a batch of recipients.
 *
 * Jobs are versioned (`v`): a consumer deployed later must still understand jobs queued by an
 * earlier version, and refuses (dead-letters) a version it does not know instead of guessing.
 */

export type DeliveryOrigin = "alias" | "list" | "submission" | "dsn" | "notice";

export const DELIVERY_ORIGINS: readonly DeliveryOrigin[] = ["alias", "list", "submission", "dsn", "notice"];

/** One recipient of a job. */
export interface JobRecipient {
  /** deliveries.id of this recipient's row. */
  id: string;
  rcpt: string;
  /**
   * Envelope sender for this recipient only, overriding the job's `mailFrom`. A list uses it for
   * VERP (`list-bounces+member=host@list.example`), so a bounce names the member.
   */
  mailFrom?: string;
  /**
   * Header lines (each ending in CRLF) written before the stored body when sending to this
   * recipient only: a list's per-member List-Unsubscribe, or a per-member DKIM-Signature computed
   * over the shared body hash. The stored body is never re-read or re-hashed for it.
   */
  prepend?: string;
}

export interface DeliveryJobV1 {
  v: 1;
  /** Key of the raw message in the MAIL bucket. */
  r2Key: string;
  /** Default envelope sender ('' is the null sender `<>`, RFC 5321 section 4.5.5). */
  mailFrom: string;
  /** At most MAX_RECIPIENTS_PER_JOB. */
  recipients: JobRecipient[];
  /** How many times this job was handed to a consumer before (0 when first queued). */
  attempt: number;
  origin: DeliveryOrigin;
  /** messages.id of the inbound message (or list post, or submission) this delivers. */
  messageLogId: string;
  /** Our domain on whose behalf the message is sent: picks the relay (domains.relay_url). */
  domain: string;
  /** ms epoch when the message was first queued: the give-up horizon counts from here. */
  queuedAt: number;
  /** The original passed DMARC (or aligned SPF/DKIM): a permanent failure may be reported (DSN). */
  senderAuthenticated: boolean;
  /** The original was Auto-Submitted (RFC 3834): never answered with a DSN. */
  autoSubmitted: boolean;
}

export type DeliveryJob = DeliveryJobV1;

/**
 * Recipients per job: 50, the Cloudflare Email Sending cap per send. A job with long
 * per-recipient `prepend` blocks is split further so the serialised job stays under MAX_JOB_BYTES.
 */
export const MAX_RECIPIENTS_PER_JOB = 50;

/**
 * Queues refuses a message above 128 KB; keep a margin for the envelope Queues adds around the
 * body (JSON-serialised by default, the documented "V8 serialisation" overhead is small).
 */
export const MAX_JOB_BYTES = 120 * 1024;

/**
 * The fan-out job (queue `facteur-fanout`): one page of a list's active members for one post.
 * The post itself is in R2 once; the job carries its key, the header section length (pages read
 * only the header, by range), and the body hash for the per-member DKIM signatures.
 */
export interface FanoutJobV1 {
  v: 1;
  /** messages.id of the post (also its delivery rows' message_log_id). */
  messageLogId: string;
  list: string;
  r2Key: string;
  /** Length of the stored header section including the blank line: pages read only these bytes. */
  headerBytes: number;
  /** Lower-cased From author: skipped unless their membership has receive_own. */
  author: string | null;
  /** Members with lookup in [from, to); to = null for the last page. */
  from: string;
  to: string | null;
  /** Set when the list domain has a key: per-member signatures reuse this body hash. */
  dkim: { bodyHash: string; headerList: string[]; selector: string } | null;
  /** ms epoch the post was signed (t=, RFC 6376 section 3.5): the same for every copy. */
  signedAt: number;
  /** The post's author authenticated (carried to delivery rows: gates DSNs). */
  senderAuthenticated: boolean;
  /** A digest (lists/digest/send-digests.ts): the page goes to members in this mode, not "each". */
  mode?: "digest_daily" | "digest_weekly";
}

export type FanoutJob = FanoutJobV1;

/** A job body that no retry can repair: logged and acknowledged (runners/batch-runner.ts). */
export class InvalidJobError extends Error {
  override name = "InvalidJobError";
}

/**
 * A job of a version this deployment does not know, e.g. queued by a newer deployment before a
 * rollback: kept (retried late) until a consumer that understands it runs again.
 */
export class UnknownJobVersionError extends InvalidJobError {
  override name = "UnknownJobVersionError";
}

/**
 * Issue 10 item 12: bulk work the admin API hands to FANOUT_QUEUE instead of doing it in the
 * request, told apart from a fan-out page by `kind` (runners/fanout-consumer.ts).
 *
 * A page of double opt-in confirmations: the members are already inserted (pending); each address
 * of the page gets its token and its confirmation mail here, at most CONFIRMATION_PAGE_SIZE a job.
 */
export interface ConfirmationPageJobV1 {
  v: 1;
  kind: "confirmations";
  /** The import's id: the R2 key of each confirmation derives from it (a redelivered page finds its sends). */
  messageLogId: string;
  list: string;
  action: "subscribe" | "unsubscribe";
  addresses: string[];
  /** ms epoch of the import (the confirmation's created_at and Date). */
  requestedAt: number;
}

/** What FANOUT_QUEUE carries. */
export type FanoutQueueJob = FanoutJob | ConfirmationPageJobV1;
