/**
 * The durable hand-off from `email()` (or a list fan-out, or a submission) to the delivery queue:
 * raw bytes to R2 once, one `deliveries` row per recipient in D1, then jobs on DELIVERY_QUEUE.
 *
 * Every step throws on failure and nothing is swallowed: `email()` then throws too, Email Routing
 * answers the sending server with a temporary error and it retries (DESIGN.md, "nothing lost").
 * Every step is also idempotent, so that retry is harmless: the R2 key comes from the message log
 * id (a retry overwrites the same object), rows are unique per (body, recipient), and a recipient
 * already final gets no new job.
 */

import { FINAL_STATUSES } from "../core/delivery-status";
import { type DeliveryJob, type DeliveryOrigin, MAX_JOB_BYTES, MAX_RECIPIENTS_PER_JOB } from "../core/jobs";
import { parseAddress } from "../mail/address";
import { failDeliveries, insertDeliveries, markDeliveriesEnqueued } from "../store/deliveries";
import { jobBytes } from "./job";

export interface DeliveryRequest {
  origin: DeliveryOrigin;
  messageLogId: string;
  raw: Uint8Array | string;
  /** Envelope sender ('' for the null sender `<>`). Already SRS-rewritten by the caller if needed. */
  mailFrom: string;
  recipients: string[];
  /** Our domain the message is sent for (picks the relay: domains.relay_url, else RELAY_URL). */
  domain: string;
  /** DMARC pass or aligned SPF/DKIM pass: only then may a permanent failure produce a DSN. */
  senderAuthenticated: boolean;
  autoSubmitted?: boolean;
  /** Reuse an object already stored under this key (a list stores its post once); `raw` is then not written. */
  r2Key?: string;
}

/** A recipient for `enqueueDeliveryJobs`: a plain address, or one with its own envelope/header block. */
export type RecipientSpec = string | { rcpt: string; mailFrom?: string; prepend?: string };

export interface DeliveryJobsRequest {
  origin: DeliveryOrigin;
  messageLogId: string;
  /** Key of a body already in the MAIL bucket (see `storeDeliveryBody`). */
  r2Key: string;
  mailFrom: string;
  recipients: RecipientSpec[];
  domain: string;
  senderAuthenticated: boolean;
  autoSubmitted?: boolean;
  /** ms epoch of the first queueing (give-up horizon); defaults to now. */
  queuedAt?: number;
}

export class EnqueueError extends Error {
  override name = "EnqueueError";
}

/**
 * Recipients in one enqueueDeliveryJobs call. Each call costs a handful of D1 statements and
 * queue sends; a list fan-out of 10,000 members makes several calls (one per chunk, possibly one
 * per invocation), each well within a Worker's subrequest and D1 query limits.
 */
export const MAX_RECIPIENTS_PER_CALL = 5000;

/** Queues: sendBatch takes at most 100 messages. */
export const MAX_MESSAGES_PER_SEND_BATCH = 100;
/** Queues: a sendBatch is at most 256 KB in total; keep a margin. */
export const MAX_SEND_BATCH_BYTES = 250 * 1024;

/**
 * A prepend block is whole header fields (RFC 5322 section 2.2: name ":" value, folded lines start
 * with WSP), each line ending in CRLF, because it is written verbatim before the stored header.
 */
const HEADER_BLOCK = /^(?:[\x21-\x39\x3b-\x7e]+:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*)+$/;

/** The R2 key of a message's body: deterministic, so a retried `email()` overwrites, never duplicates. */
export function deliveryBodyKey(messageLogId: string): string {
  return `mail/${messageLogId}.eml`;
}

const encoder = new TextEncoder();

/** Writes a body to R2 under `r2Key` (overwriting the same key is the idempotent retry). */
export async function storeDeliveryBody(
  env: Pick<Env, "MAIL">,
  r2Key: string,
  raw: Uint8Array | string,
  metadata: Record<string, string> = {},
): Promise<void> {
  const bytes = typeof raw === "string" ? encoder.encode(raw) : raw;
  const put = await env.MAIL.put(r2Key, bytes, {
    httpMetadata: { contentType: "message/rfc822" },
    customMetadata: metadata,
  });
  if (!put) throw new EnqueueError(`R2 refused to store ${r2Key}`);
}

/** Stores `raw` once, records one row per recipient and queues the jobs. Throws on any failure. */
export async function enqueueDelivery(
  env: Pick<Env, "MAIL" | "DB" | "DELIVERY_QUEUE">,
  request: DeliveryRequest,
): Promise<{ r2Key: string; deliveryIds: string[] }> {
  if (request.recipients.length === 0) throw new EnqueueError("enqueueDelivery needs at least one recipient");
  const r2Key = request.r2Key ?? deliveryBodyKey(request.messageLogId);
  if (!request.r2Key) {
    await storeDeliveryBody(env, r2Key, request.raw, {
      messageLogId: request.messageLogId,
      origin: request.origin,
    });
  }
  const { deliveryIds } = await enqueueDeliveryJobs(env, {
    origin: request.origin,
    messageLogId: request.messageLogId,
    r2Key,
    mailFrom: request.mailFrom,
    recipients: request.recipients,
    domain: request.domain,
    senderAuthenticated: request.senderAuthenticated,
    autoSubmitted: request.autoSubmitted,
  });
  return { r2Key, deliveryIds };
}

/** Why a recipient refused by the address validator fails (RFC 3463 X.1.3: bad destination syntax). */
export const BAD_RECIPIENT_REPLY = "553 5.1.3 not a valid recipient address";

interface NormalRecipient {
  /** Refused by the address validator: recorded as failed for this recipient alone. */
  invalid?: true;
  rcpt: string;
  mailFrom: string;
  override?: string;
  prepend?: string;
}

function normaliseRecipients(request: DeliveryJobsRequest): NormalRecipient[] {
  const seen = new Set<string>();
  const out: NormalRecipient[] = [];
  for (const spec of request.recipients) {
    const r = typeof spec === "string" ? { rcpt: spec } : spec;
    const rcpt = r.rcpt.trim();
    const invalid = parseAddress(rcpt) === null;
    if (r.prepend !== undefined && r.prepend !== "" && !HEADER_BLOCK.test(r.prepend)) {
      throw new EnqueueError(`prepend for ${rcpt} is not a block of CRLF-terminated header fields`);
    }
    // RFC 5321 section 2.4: local parts may be case-sensitive, but no real mailbox differs by case
    // only, and sending twice to the same person is the worse error.
    const key = rcpt.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      ...(invalid ? { invalid: true as const } : {}),
      rcpt,
      mailFrom: r.mailFrom ?? request.mailFrom,
      override: r.mailFrom,
      prepend: r.prepend || undefined,
    });
  }
  return out;
}

/**
 * Records rows and queues jobs for a body already stored in R2. The fan-out entry point: a list
 * stores its post once (`storeDeliveryBody`) and calls this per chunk of members, each member with
 * its VERP `mailFrom` and its `prepend` header block. Returns the delivery ids in recipient order
 * (duplicates removed).
 */
export async function enqueueDeliveryJobs(
  env: Pick<Env, "DB" | "DELIVERY_QUEUE">,
  request: DeliveryJobsRequest,
): Promise<{ deliveryIds: string[] }> {
  const recipients = normaliseRecipients(request);
  if (recipients.length === 0) throw new EnqueueError("enqueueDeliveryJobs needs at least one recipient");
  if (recipients.length > MAX_RECIPIENTS_PER_CALL) {
    throw new EnqueueError(
      `at most ${MAX_RECIPIENTS_PER_CALL} recipients per call (got ${recipients.length}); split the fan-out`,
    );
  }
  const now = Date.now();
  const rows = await insertDeliveries(
    env.DB,
    { messageLogId: request.messageLogId, origin: request.origin, r2Key: request.r2Key, domain: request.domain },
    recipients.map((r) => ({ rcpt: r.rcpt, mailFrom: r.mailFrom })),
    now,
  );
  // A bad address fails alone: the other recipients of the page, alias or submission go out.
  const invalidIds = recipients.flatMap((r, i) => (r.invalid ? [rows[i]!.id] : []));
  await failDeliveries(env.DB, invalidIds, BAD_RECIPIENT_REPLY, now);
  const pending = recipients
    .map((r, i) => ({ r, row: rows[i]! }))
    .filter(({ r }) => !r.invalid)
    // A recipient already final for this body (a retried email() after a partial success) gets no job.
    .filter(({ row }) => !FINAL_STATUSES.has(row.status))
    .map(({ r, row }) => ({
      id: row.id,
      rcpt: r.rcpt,
      ...(r.override !== undefined ? { mailFrom: r.override } : {}),
      ...(r.prepend ? { prepend: r.prepend } : {}),
    }));
  const base: Omit<DeliveryJob, "recipients"> = {
    v: 1,
    r2Key: request.r2Key,
    mailFrom: request.mailFrom,
    attempt: 0,
    origin: request.origin,
    messageLogId: request.messageLogId,
    domain: request.domain,
    queuedAt: request.queuedAt ?? now,
    senderAuthenticated: request.senderAuthenticated,
    autoSubmitted: request.autoSubmitted === true,
  };
  // Each sendBatch that succeeds marks its rows enqueued: the orphan sweep re-queues only the rest.
  await sendJobs(env.DELIVERY_QUEUE, splitIntoJobs(base, pending), undefined, (sent) =>
    markDeliveriesEnqueued(
      env.DB,
      sent.flatMap((job) => job.recipients.map((r) => r.id)),
    ),
  );
  return { deliveryIds: rows.map((row) => row.id) };
}

/**
 * Greedy split: at most 50 recipients per job and at most MAX_JOB_BYTES serialised. Sizes are
 * added up per recipient (JSON of the array = its items plus commas) instead of re-serialising the
 * growing job, which would be quadratic on a 10,000-member fan-out.
 */
export function splitIntoJobs(
  base: Omit<DeliveryJob, "recipients">,
  recipients: DeliveryJob["recipients"],
): DeliveryJob[] {
  const emptySize = jobBytes({ ...base, recipients: [] });
  const jobs: DeliveryJob[] = [];
  let current: DeliveryJob["recipients"] = [];
  let size = emptySize;
  for (const recipient of recipients) {
    const itemSize = encoder.encode(JSON.stringify(recipient)).byteLength + 1;
    if (emptySize + itemSize > MAX_JOB_BYTES) {
      throw new EnqueueError(`the job for ${recipient.rcpt} alone exceeds ${MAX_JOB_BYTES} bytes (prepend too large)`);
    }
    if (current.length >= MAX_RECIPIENTS_PER_JOB || size + itemSize > MAX_JOB_BYTES) {
      jobs.push({ ...base, recipients: current });
      current = [];
      size = emptySize;
    }
    current.push(recipient);
    size += itemSize;
  }
  if (current.length > 0) jobs.push({ ...base, recipients: current });
  return jobs;
}

/** Sends jobs in sendBatch calls of at most 100 messages and 250 KB; `onSent` after each call succeeds. */
export async function sendJobs(
  queue: Queue,
  jobs: DeliveryJob[],
  delaySeconds?: number,
  onSent: (jobs: DeliveryJob[]) => Promise<void> = async () => {},
): Promise<void> {
  let batch: MessageSendRequest<DeliveryJob>[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await queue.sendBatch(batch);
    await onSent(batch.map((m) => m.body));
    batch = [];
    bytes = 0;
  };
  for (const job of jobs) {
    const size = jobBytes(job);
    if (batch.length >= MAX_MESSAGES_PER_SEND_BATCH || bytes + size > MAX_SEND_BATCH_BYTES) await flush();
    batch.push({ body: job, contentType: "json", ...(delaySeconds ? { delaySeconds } : {}) });
    bytes += size;
  }
  await flush();
}
