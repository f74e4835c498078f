/**
 * The delivery queue consumer (queue `facteur-delivery`) and its dead-letter consumer
 * (`facteur-delivery-dlq`). For each job:
 *
 *   1. read the recipients' rows; drop the ones already final (Queues delivers at least once:
 *      a redelivered job never sends again to a recipient already accepted)
 *   2. load the body from R2 (missing: temporary, retried; never dropped)
 *   3. pick the relay for the domain (domains.relay_url, else RELAY_URL); a bad URL is a config
 *      error, logged once per isolate, and the job is deferred
 *   4. send, grouped by envelope sender and per-recipient header block, split to relay.maxRecipients
 *   5. classify: sent / temporary (deferred, or bounced once past GIVE_UP_DAYS) / permanent (bounced)
 *   6. queue a DSN for permanent failures when mayBounce allows (else log: no backscatter)
 *   7. record every outcome in D1, THEN ack, or retry with backoff
 *
 * Retrying uses `message.retry({ delaySeconds })` rather than a new job holding only the remaining
 * recipients: the retry is atomic with the ack (there is no moment where the old job is acked and
 * the new one not yet sent), Queues counts the attempts for us, `max_retries` + the dead-letter
 * queue still catch a job that keeps failing for unforeseen reasons, and recipients already sent
 * cost one D1 read on the next attempt, nothing more.
 */
import { buildDsn, headerValue, originalHeaderSection, statusFromReply } from "../bounce/dsn";
import { mayBounce } from "../bounce/may-bounce";
import { log, logError } from "../core/log";
import {
  type AttemptRecord,
  type Delivery,
  FINAL_STATUSES,
  failDeliveries,
  findDeliveriesByIds,
  markDsn,
  recordAttempts,
} from "../store/deliveries";
import { backoffDelaySeconds, giveUpAfterMs, MAX_DELAY_SECONDS, pastGiveUpHorizon } from "./backoff";
import { enqueueDeliveryJobs, storeDeliveryBody } from "./enqueue";
import { type DeliveryJob, InvalidJobError, type JobRecipient, parseDeliveryJob } from "./job";
import type { RecipientOutcome, Relay } from "./relay";
import { relayForDomain } from "./relays";
import { isSrsAddress, srsReverse } from "./srs";

export interface ConsumerDeps {
  /** The relay for one of our domains. Default: domains.relay_url, else RELAY_URL (relays/index.ts). */
  relayFor?: (env: Env, domain: string) => Promise<Relay>;
  now?: () => number;
  /** In [0, 1): backoff jitter. */
  random?: () => number;
}

/** Jobs of one batch handled at once. Workers allow 6 simultaneous outgoing connections. */
export const CONCURRENT_JOBS = 4;

interface Context {
  env: Env;
  relayFor: (env: Env, domain: string) => Promise<Relay>;
  now: () => number;
  random: () => number;
}

export async function handleDeliveryBatch(
  batch: MessageBatch<DeliveryJob>,
  env: Env,
  _ctx?: ExecutionContext,
  deps: ConsumerDeps = {},
): Promise<void> {
  const context: Context = {
    env,
    relayFor: deps.relayFor ?? relayForDomain,
    now: deps.now ?? (() => Date.now()),
    random: deps.random ?? Math.random,
  };
  const queue = [...batch.messages];
  const workers = Array.from({ length: Math.min(CONCURRENT_JOBS, queue.length) }, async () => {
    for (let message = queue.shift(); message; message = queue.shift()) await handleMessage(message, context);
  });
  await Promise.all(workers);
}

async function handleMessage(message: Message<DeliveryJob>, context: Context): Promise<void> {
  let job: DeliveryJob;
  try {
    job = parseDeliveryJob(message.body);
  } catch (error) {
    if (error instanceof InvalidJobError && /unknown job version/.test(error.message)) {
      // A job from a newer deployment (e.g. after a rollback): keep it until a consumer that
      // understands it runs again; the dead-letter queue gets it if that never happens.
      logError({ stage: "queue", unit: "consumer", outcome: "unknown-job-version", messageId: message.id, error });
      message.retry({ delaySeconds: MAX_DELAY_SECONDS });
      return;
    }
    // Retrying cannot repair a malformed body and it names no rows we could mark: log it loudly.
    logError({ stage: "queue", unit: "consumer", outcome: "malformed-job", messageId: message.id, error });
    message.ack();
    return;
  }
  try {
    const retryDelaySeconds = await deliverJob(job, message.attempts, context);
    if (retryDelaySeconds === null) message.ack();
    else message.retry({ delaySeconds: retryDelaySeconds });
  } catch (error) {
    // D1, R2 or the queue failed while handling the job: nothing was recorded as final, so a retry
    // is safe (at worst a recipient accepted by the relay receives a duplicate).
    logError({ stage: "queue", unit: "consumer", outcome: "job-error", messageId: job.messageLogId, error });
    message.retry({ delaySeconds: backoffDelaySeconds(message.attempts, context.random) });
  }
}

interface Pending {
  recipient: JobRecipient;
  row: Delivery;
}

/**
 * Delivers one job. Returns the delay before the job must run again when some recipient was
 * deferred (the same delay is written to their next_attempt_at), or null when it is finished.
 */
async function deliverJob(job: DeliveryJob, attempts: number, context: Context): Promise<number | null> {
  const { env } = context;
  const rows = new Map(
    (
      await findDeliveriesByIds(
        env.DB,
        job.recipients.map((r) => r.id),
      )
    ).map((r) => [r.id, r]),
  );
  const pending: Pending[] = [];
  for (const recipient of job.recipients) {
    const row = rows.get(recipient.id);
    if (!row) {
      log({
        stage: "deliver",
        unit: "consumer",
        outcome: "row-missing",
        messageId: job.messageLogId,
        rcpt: recipient.rcpt,
      });
      continue;
    }
    if (FINAL_STATUSES.has(row.status)) continue;
    pending.push({ recipient, row });
  }
  if (pending.length === 0) return null;

  const now = context.now();
  const outcomes = await attempt(job, pending, context);
  const expired = pastGiveUpHorizon(job.queuedAt, now, giveUpAfterMs(env.GIVE_UP_DAYS));
  const delay = backoffDelaySeconds(attempts, context.random);
  const records: AttemptRecord[] = [];
  const bounced: { pending: Pending; outcome: RecipientOutcome; status: string }[] = [];
  for (const p of pending) {
    const outcome = outcomes.outcomes.get(p.recipient.id)!;
    if (outcome.status === "sent") {
      records.push({ id: p.row.id, status: "sent", reply: outcome.reply, relay: outcomes.relay, nextAttemptAt: null });
    } else if (outcome.status === "permanent") {
      bounced.push({ pending: p, outcome, status: statusFromReply(outcome.reply, "5") });
    } else if (expired) {
      // RFC 5321 section 4.5.4.1: give up after the horizon; RFC 3463 X.4.7 "delivery time expired".
      const reply = `${outcome.reply} (gave up after ${Math.round((now - job.queuedAt) / 3_600_000)} h of retries)`;
      bounced.push({ pending: p, outcome: { ...outcome, reply }, status: "5.4.7" });
    } else {
      records.push({
        id: p.row.id,
        status: "deferred",
        reply: outcome.reply,
        relay: outcomes.relay,
        nextAttemptAt: now + delay * 1000,
      });
    }
  }
  // The DSN is queued before the rows become final: if queueing it fails the job is retried and
  // the recipient is tried (and refused) again, rather than a final row with no report. The DSN's
  // key is deterministic, so a retry does not queue a second one.
  const dsnByRow = await reportFailures(job, bounced, outcomes.rawHeaders, context);
  for (const b of bounced) {
    records.push({
      id: b.pending.row.id,
      status: "bounced",
      reply: b.outcome.reply,
      relay: outcomes.relay,
      nextAttemptAt: null,
      dsn: dsnByRow.get(b.pending.row.id) ?? null,
    });
  }
  await recordAttempts(env.DB, records, now);
  const counts = { sent: 0, deferred: 0, bounced: bounced.length };
  for (const r of records) if (r.status === "sent" || r.status === "deferred") counts[r.status]++;
  log({
    stage: "deliver",
    unit: "consumer",
    outcome: counts.deferred ? "deferred" : "done",
    messageId: job.messageLogId,
    origin: job.origin,
    relay: outcomes.relay,
    attempt: attempts,
    ...counts,
  });
  return counts.deferred > 0 ? delay : null;
}

interface AttemptResult {
  /** Outcome per delivery id. */
  outcomes: Map<string, RecipientOutcome>;
  relay: string | null;
  /** Header section of the stored body, for DSNs ('' when the body is missing). */
  rawHeaders: string;
}

const encoder = new TextEncoder();

/** Config errors already logged in this isolate: "logged once", not once per message. */
const loggedConfigErrors = new Set<string>();

function allOutcomes(pending: Pending[], outcome: Omit<RecipientOutcome, "rcpt">): Map<string, RecipientOutcome> {
  return new Map(pending.map((p) => [p.recipient.id, { rcpt: p.recipient.rcpt, ...outcome }]));
}

async function attempt(job: DeliveryJob, pending: Pending[], context: Context): Promise<AttemptResult> {
  const object = await context.env.MAIL.get(job.r2Key);
  if (!object) {
    // Never dropped: R2 may be briefly inconsistent, and the give-up horizon ends a real loss.
    logError({
      stage: "deliver",
      unit: "consumer",
      outcome: "body-missing",
      messageId: job.messageLogId,
      error: `R2 object ${job.r2Key} not found`,
    });
    return {
      outcomes: allOutcomes(pending, { status: "temporary", reply: "451 4.3.0 message body not found in storage" }),
      relay: null,
      rawHeaders: "",
    };
  }
  const raw = new Uint8Array(await object.arrayBuffer());
  const rawHeaders = originalHeaderSection(raw);

  let relay: Relay;
  try {
    relay = await context.relayFor(context.env, job.domain);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (!loggedConfigErrors.has(`${job.domain}\n${text}`)) {
      loggedConfigErrors.add(`${job.domain}\n${text}`);
      logError({ stage: "deliver", unit: "relay-config", outcome: "config-error", domain: job.domain, error });
    }
    // RFC 3463 X.3.5: system incorrectly configured. Temporary: fixing the config resumes delivery.
    return {
      outcomes: allOutcomes(pending, { status: "temporary", reply: `451 4.3.5 relay configuration error: ${text}` }),
      relay: null,
      rawHeaders,
    };
  }

  const outcomes = new Map<string, RecipientOutcome>();
  // One transaction per (envelope sender, header block): a list's per-member VERP sender or
  // unsubscribe header makes each member's copy distinct.
  const groups = new Map<string, Pending[]>();
  for (const p of pending) {
    const key = JSON.stringify([p.recipient.mailFrom ?? job.mailFrom, p.recipient.prepend ?? ""]);
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const [key, members] of groups) {
    const [mailFrom, prepend] = JSON.parse(key) as [string, string];
    const body = prepend ? concat(encoder.encode(prepend), raw) : raw;
    const max = Math.max(1, relay.maxRecipients);
    for (let i = 0; i < members.length; i += max) {
      const chunk = members.slice(i, i + max);
      for (const [id, outcome] of await sendChunk(relay, mailFrom, chunk, body, job)) outcomes.set(id, outcome);
    }
  }
  return { outcomes, relay: relay.name, rawHeaders };
}

async function sendChunk(
  relay: Relay,
  mailFrom: string,
  chunk: Pending[],
  body: Uint8Array,
  job: DeliveryJob,
): Promise<Map<string, RecipientOutcome>> {
  if (relay.maxMessageBytes !== undefined && body.byteLength > relay.maxMessageBytes) {
    // RFC 3463 X.3.4: message too big for system; the same bytes will never fit.
    return allOutcomes(chunk, {
      status: "permanent",
      reply: `552 5.3.4 message of ${body.byteLength} bytes exceeds the ${relay.name} relay's limit of ${relay.maxMessageBytes}`,
    });
  }
  let results: RecipientOutcome[];
  try {
    results = await relay.send({ mailFrom, rcptTo: chunk.map((p) => p.recipient.rcpt) }, body);
  } catch (error) {
    // The interface says relays return failures as outcomes; a throw is a bug, but the mail must
    // not be lost over it: temporary, so it is retried and the log shows the error.
    logError({ stage: "deliver", unit: relay.name, outcome: "relay-threw", messageId: job.messageLogId, error });
    const text = error instanceof Error ? error.message : String(error);
    return allOutcomes(chunk, { status: "temporary", reply: `451 4.3.0 relay error: ${text}` });
  }
  const byRcpt = new Map(results.map((r) => [r.rcpt.toLowerCase(), r]));
  const out = new Map<string, RecipientOutcome>();
  for (const p of chunk) {
    const result = byRcpt.get(p.recipient.rcpt.toLowerCase());
    out.set(
      p.recipient.id,
      result ?? {
        rcpt: p.recipient.rcpt,
        status: "temporary",
        reply: "451 4.3.0 relay gave no answer for this recipient",
      },
    );
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

function isReport(headers: string): boolean {
  return /^multipart\/report\b/i.test(headerValue(headers, "Content-Type") ?? "");
}

function isAutoSubmitted(headers: string): boolean {
  const value = headerValue(headers, "Auto-Submitted");
  return value !== undefined && value.toLowerCase() !== "no";
}

/**
 * Queues one DSN per envelope sender for recipients that failed permanently, when mayBounce
 * allows. Returns the `dsn` note per delivery id ('queued:<key>' or 'suppressed:<reason>').
 */
async function reportFailures(
  job: DeliveryJob,
  bounced: { pending: Pending; outcome: RecipientOutcome; status: string }[],
  rawHeaders: string,
  context: Context,
): Promise<Map<string, string>> {
  const notes = new Map<string, string>();
  const bySender = new Map<string, typeof bounced>();
  for (const b of bounced) {
    const sender = b.pending.recipient.mailFrom ?? job.mailFrom;
    bySender.set(sender, [...(bySender.get(sender) ?? []), b]);
  }
  for (const [envelopeSender, failures] of bySender) {
    const sender = await bounceTarget(envelopeSender, job, context);
    const verdict = mayBounce({
      mailFrom: sender,
      senderAuthenticated: job.senderAuthenticated,
      autoSubmitted: job.autoSubmitted || isAutoSubmitted(rawHeaders),
      origin: job.origin,
      isReport: isReport(rawHeaders),
    });
    const ids = failures.map((f) => f.pending.row.id);
    if (!verdict.bounce) {
      log({
        stage: "bounce",
        unit: "may-bounce",
        outcome: "suppressed",
        messageId: job.messageLogId,
        reason: verdict.reason,
        sender,
        rcpts: failures.map((f) => f.pending.recipient.rcpt),
      });
      for (const id of ids) notes.set(id, `suppressed:${verdict.reason}`);
      continue;
    }
    const r2Key = await queueDsn(job, sender, failures, rawHeaders, context);
    for (const id of ids) notes.set(id, `queued:${r2Key}`);
  }
  return notes;
}

/**
 * Where a DSN for `envelopeSender` goes. Alias mail leaves with an SRS0 sender of our own domain;
 * a report addressed there would travel out and back in through email() only to be reversed, so
 * it is reversed here and sent straight to the original sender.
 */
async function bounceTarget(envelopeSender: string, job: DeliveryJob, context: Context): Promise<string> {
  const at = envelopeSender.lastIndexOf("@");
  if (!isSrsAddress(envelopeSender) || envelopeSender.slice(at + 1).toLowerCase() !== job.domain.toLowerCase()) {
    return envelopeSender;
  }
  const reversed = await srsReverse(envelopeSender, context.env.SRS_SECRET, context.now());
  if (reversed.ok) return reversed.original;
  log({
    stage: "bounce",
    unit: "srs",
    outcome: reversed.reason,
    messageId: job.messageLogId,
    sender: envelopeSender,
  });
  return envelopeSender;
}

async function queueDsn(
  job: DeliveryJob,
  sender: string,
  failures: { pending: Pending; outcome: RecipientOutcome; status: string }[],
  rawHeaders: string,
  context: Context,
): Promise<string> {
  const { env } = context;
  const now = new Date(context.now());
  const dsn = buildDsn({
    reportingMta: env.AUTHSERV_ID || job.domain,
    from: `mailer-daemon@${job.domain}`,
    to: sender,
    arrivalDate: new Date(job.queuedAt),
    originalHeaders: rawHeaders,
    recipients: failures.map((f) => ({
      finalRecipient: f.pending.recipient.rcpt,
      action: "failed" as const,
      status: f.status,
      diagnosticCode: f.outcome.reply,
      lastAttemptDate: now,
    })),
    messageIdDomain: job.domain,
    now,
  });
  // Deterministic key (first failed row): a retried job re-queues the same DSN row, not a second one.
  const r2Key = `dsn/${job.messageLogId}/${failures[0]!.pending.row.id}.eml`;
  await storeDeliveryBody(env, r2Key, dsn, { messageLogId: job.messageLogId, origin: "dsn" });
  await enqueueDeliveryJobs(env, {
    origin: "dsn",
    messageLogId: job.messageLogId,
    r2Key,
    // RFC 3464 section 2 / RFC 5321 section 4.5.5: a DSN is sent with the null reverse-path.
    mailFrom: "",
    recipients: [sender],
    domain: job.domain,
    senderAuthenticated: false,
    autoSubmitted: true,
  });
  log({ stage: "bounce", unit: "dsn", outcome: "queued", messageId: job.messageLogId, to: sender, r2Key });
  return r2Key;
}

/**
 * Dead-letter consumer: a job that exhausted max_retries. Its recipients that are not final become
 * `failed` (visible in GET /api/v1/deliveries?status=failed) and their sender gets a DSN when
 * mayBounce allows. Every message is acked once recorded; a D1 failure retries the DLQ message.
 */
export async function handleDeadLetterBatch(
  batch: MessageBatch<DeliveryJob>,
  env: Env,
  _ctx?: ExecutionContext,
  deps: ConsumerDeps = {},
): Promise<void> {
  const context: Context = {
    env,
    relayFor: deps.relayFor ?? relayForDomain,
    now: deps.now ?? (() => Date.now()),
    random: deps.random ?? Math.random,
  };
  for (const message of batch.messages) {
    let job: DeliveryJob;
    try {
      job = parseDeliveryJob(message.body);
    } catch (error) {
      logError({ stage: "queue", unit: "dead-letter", outcome: "malformed-job", messageId: message.id, error });
      message.ack();
      continue;
    }
    try {
      const reply = `554 5.4.0 delivery abandoned: job dead-lettered after ${message.attempts} consumer attempts`;
      const failed = await failDeliveries(
        env.DB,
        job.recipients.map((r) => r.id),
        reply,
        context.now(),
      );
      const byId = new Map(job.recipients.map((r) => [r.id, r]));
      const object = failed.length ? await env.MAIL.get(job.r2Key) : null;
      const rawHeaders = object ? originalHeaderSection(new Uint8Array(await object.arrayBuffer())) : "";
      const notes = await reportFailures(
        job,
        failed.map((row) => ({
          pending: { row, recipient: byId.get(row.id)! },
          outcome: { rcpt: row.rcpt, status: "permanent" as const, reply: row.lastReply ?? reply },
          status: "5.4.0",
        })),
        rawHeaders,
        context,
      );
      const byNote = new Map<string, string[]>();
      for (const [id, note] of notes) byNote.set(note, [...(byNote.get(note) ?? []), id]);
      for (const [note, ids] of byNote) await markDsn(env.DB, ids, note, context.now());
      log({
        stage: "queue",
        unit: "dead-letter",
        outcome: "failed",
        messageId: job.messageLogId,
        rcpts: failed.map((r) => r.rcpt),
      });
      message.ack();
    } catch (error) {
      logError({ stage: "queue", unit: "dead-letter", outcome: "error", messageId: job.messageLogId, error });
      message.retry();
    }
  }
}
