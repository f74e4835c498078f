/**
 * One delivery job, without any batch policy (the runner acks or retries it):
 *
 *   1. read the recipients' rows; drop the ones already final (Queues delivers at least once:
 *      a redelivered job never sends again to a recipient already accepted)
 *   2. send to the rest (send-job.ts: body from R2, the domain's relay, grouped and chunked),
 *      recording each 250 as it comes (sent-recorder.ts), so a job cut short and delivered again
 *      does not send twice to a recipient whose 250 was recorded
 *   3. classify: sent / temporary (deferred, or failed for good once past GIVE_UP_DAYS) /
 *      permanent
 *
 * Only 250s are recorded here (they need no report): the caller reports the permanent failures
 * (bounce/, a DSN to the envelope sender) and then records the whole attempt (record-attempt.ts),
 * so a failed row becomes final only once its report is queued.
 */
import { FINAL_STATUSES } from "../core/delivery-status";
import type { DeliveryJob, JobRecipient } from "../core/jobs";
import { log } from "../core/log";
import { type AttemptRecord, findDeliveriesByIds } from "../store/deliveries";
import { giveUpAfterMs, pastGiveUpHorizon } from "./give-up";
import type { RecipientOutcome } from "./relay";
import { relayForDomain } from "./relays";
import { type RelayFor, sendJob } from "./send-job";
import { SentRecorder } from "./sent-recorder";

/** A recipient that failed for good: recorded as bounced, and reported to the envelope sender. */
export interface PermanentFailure {
  recipient: JobRecipient;
  /** The relay's reply, or why delivery stopped. */
  reply: string;
  /**
   * RFC 3463 status when the failure is not the reply's own (5.4.7 after the give-up horizon,
   * 5.4.0 when dead-lettered); absent, it is read from the reply.
   */
  status?: string;
}

export interface DeliveryAttempt {
  job: DeliveryJob;
  /** Queues' delivery count of this job (1 = first). */
  attempts: number;
  /** ms epoch of the attempt. */
  now: number;
  relay: string | null;
  /** The stored message (for the DSN's returned header section), or null when it is missing. */
  original: Uint8Array | null;
  /** Sent and deferred recipients. */
  records: AttemptRecord[];
  failures: PermanentFailure[];
  /** The delay before the job runs again (the run's, lengthened by a provider's Retry-After). */
  retryDelaySeconds: number;
}

export interface DeliverDeps {
  /** The relay for one of our domains. Default: domains.relay_url, else RELAY_URL (relays/index.ts). */
  relayFor?: RelayFor;
  now?: () => number;
}

/**
 * Attempts the job's recipients that are not final yet. `retryDelaySeconds` is when the job will
 * run again if a recipient is deferred: written to their next_attempt_at. Returns null when no
 * recipient is left to try.
 */
export async function deliverJob(
  env: Env,
  job: DeliveryJob,
  run: { attempts: number; retryDelaySeconds: number },
  deps: DeliverDeps = {},
): Promise<DeliveryAttempt | null> {
  const rows = new Map(
    (
      await findDeliveriesByIds(
        env.DB,
        job.recipients.map((r) => r.id),
      )
    ).map((r) => [r.id, r]),
  );
  const pending: JobRecipient[] = [];
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
    pending.push(recipient);
  }
  if (pending.length === 0) return null;

  const now = (deps.now ?? Date.now)();
  const recorder = new SentRecorder(env.DB, now);
  const sent = await sendJob(env, job, pending, deps.relayFor ?? relayForDomain, (records) => recorder.add(records));
  // Every 250 is in D1 before the failures are reported: a report that fails retries the job, and
  // the retry must not send those copies again.
  await recorder.flush();
  const expired = pastGiveUpHorizon(job.queuedAt, now, giveUpAfterMs(env.GIVE_UP_DAYS));
  const retryDelaySeconds = honourRetryAfter(run.retryDelaySeconds, sent.outcomes.values());
  const records: AttemptRecord[] = [];
  const failures: PermanentFailure[] = [];
  for (const recipient of pending) {
    const outcome = sent.outcomes.get(recipient.id)!;
    if (outcome.status === "sent") {
      records.push({
        id: recipient.id,
        status: "sent",
        reply: outcome.reply,
        relay: sent.relay,
        nextAttemptAt: null,
        providerMessageId: outcome.providerMessageId,
      });
    } else if (outcome.status === "permanent") {
      failures.push({ recipient, reply: outcome.reply });
    } else if (expired) {
      // RFC 5321 section 4.5.4.1: give up after the horizon; RFC 3463 X.4.7 "delivery time expired".
      const reply = `${outcome.reply} (gave up after ${Math.round((now - job.queuedAt) / 3_600_000)} h of retries)`;
      failures.push({ recipient, reply, status: "5.4.7" });
    } else {
      records.push({
        id: recipient.id,
        // A relay account or configuration failure is the operator's to fix, never a recipient's.
        status: outcome.relayError ? "relay-error" : "deferred",
        reply: outcome.reply,
        relay: sent.relay,
        nextAttemptAt: now + retryDelaySeconds * 1000,
      });
    }
  }
  return {
    job,
    attempts: run.attempts,
    now,
    relay: sent.relay,
    original: sent.original,
    records,
    failures,
    retryDelaySeconds,
  };
}

/** The longest Queues allows (12 h): a Retry-After never delays a job past it. */
const MAX_RETRY_DELAY_SECONDS = 12 * 3600;

/** A provider's Retry-After (HTTP 429/503) lengthens the backoff, never shortens it. */
function honourRetryAfter(delay: number, outcomes: Iterable<RecipientOutcome>): number {
  let wait = delay;
  for (const o of outcomes)
    if (o.status === "temporary" && o.retryAfterSeconds) wait = Math.max(wait, o.retryAfterSeconds);
  return Math.min(wait, Math.max(delay, MAX_RETRY_DELAY_SECONDS));
}
