/**
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
 * Recipients per job. The issue asks for batches of up to 50, which is also the Cloudflare Email
 * Sending cap per send; a job with long per-recipient `prepend` blocks is split further so the
 * serialised job stays under MAX_JOB_BYTES.
 */
export const MAX_RECIPIENTS_PER_JOB = 50;

/**
 * Queues refuses a message above 128 KB; keep a margin for the envelope Queues adds around the
 * body (JSON-serialised by default, the documented "V8 serialisation" overhead is small).
 */
export const MAX_JOB_BYTES = 120 * 1024;

export class InvalidJobError extends Error {
  override name = "InvalidJobError";
}

const encoder = new TextEncoder();

export function jobBytes(job: DeliveryJob): number {
  return encoder.encode(JSON.stringify(job)).byteLength;
}

/**
 * Checks a job body read from the queue. A job that fails this is dead-lettered, not retried:
 * retrying cannot repair it.
 */
export function parseDeliveryJob(body: unknown): DeliveryJob {
  if (typeof body !== "object" || body === null) throw new InvalidJobError("job body is not an object");
  const job = body as Record<string, unknown>;
  if (typeof job.v !== "number") throw new InvalidJobError("job.v (version) is missing");
  if (job.v !== 1) throw new InvalidJobError(`unknown job version ${JSON.stringify(job.v)}`);
  const str = (name: string) => {
    if (typeof job[name] !== "string") throw new InvalidJobError(`job.${name} is not a string`);
    return job[name] as string;
  };
  str("r2Key");
  str("mailFrom");
  str("messageLogId");
  str("domain");
  if (!DELIVERY_ORIGINS.includes(job.origin as DeliveryOrigin)) {
    throw new InvalidJobError(`unknown origin ${JSON.stringify(job.origin)}`);
  }
  if (typeof job.attempt !== "number" || typeof job.queuedAt !== "number") {
    throw new InvalidJobError("job.attempt and job.queuedAt must be numbers");
  }
  if (!Array.isArray(job.recipients) || job.recipients.length === 0) {
    throw new InvalidJobError("job.recipients must be a non-empty array");
  }
  for (const r of job.recipients as unknown[]) {
    const rec = r as Record<string, unknown>;
    if (typeof rec !== "object" || rec === null || typeof rec.id !== "string" || typeof rec.rcpt !== "string") {
      throw new InvalidJobError("each recipient needs a string id and rcpt");
    }
    if (rec.mailFrom !== undefined && typeof rec.mailFrom !== "string") {
      throw new InvalidJobError("recipient.mailFrom must be a string");
    }
    if (rec.prepend !== undefined && typeof rec.prepend !== "string") {
      throw new InvalidJobError("recipient.prepend must be a string");
    }
  }
  return {
    ...(job as unknown as DeliveryJob),
    senderAuthenticated: job.senderAuthenticated === true,
    autoSubmitted: job.autoSubmitted === true,
  };
}
