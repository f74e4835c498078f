/**
 * One delivery job, without any batch policy (the runner acks or retries it):
 *
 *   1. read the recipients' rows; drop the ones already final (Queues delivers at least once:
 *      a redelivered job never sends again to a recipient already accepted)
 *   2. send to the rest (send-job.ts: body from R2, the domain's relay, grouped and chunked)
 *   3. classify: sent / temporary (deferred, or failed for good once past GIVE_UP_DAYS) /
 *      permanent, and RECORD each chunk right after its send: a throw, an out-of-memory death or
 *      a failing DSN later in the job can no longer make a retry send to those recipients again
 *
 * A permanent failure is recorded as bounced with the DSN note `pending`; the caller then reports
 * it (bounce/, a DSN to the envelope sender) and writes the note. If reporting fails, the job is
 * retried: the bounced-and-pending rows come back here as `failures` to report, and are not sent.
 */
import { FINAL_STATUSES } from "../core/delivery-status";
import type { DeliveryJob, JobRecipient } from "../core/jobs";
import { log } from "../core/log";
import { type AttemptRecord, findDeliveriesByIds, recordAttempts } from "../store/deliveries";
import { giveUpAfterMs, pastGiveUpHorizon } from "./give-up";
import type { RecipientOutcome } from "./relay";
import { relayForDomain } from "./relays";
import { type RelayFor, sendJob } from "./send-job";

/** The DSN note of a bounced row whose report is not queued yet. */
export const DSN_PENDING = "pending";

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
  /** Sent and deferred recipients (already recorded). */
  records: AttemptRecord[];
  /** Recorded as bounced with DSN `pending`: to report. Includes those of an earlier try. */
  failures: PermanentFailure[];
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
  const failures: PermanentFailure[] = [];
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
    // Bounced on an earlier try whose report failed: report it now, never send it again.
    if (row.status === "bounced" && row.dsn === DSN_PENDING) failures.push({ recipient, reply: row.lastReply ?? "" });
    if (FINAL_STATUSES.has(row.status)) continue;
    pending.push(recipient);
  }
  if (pending.length === 0 && failures.length === 0) return null;

  const now = (deps.now ?? Date.now)();
  const expired = pastGiveUpHorizon(job.queuedAt, now, giveUpAfterMs(env.GIVE_UP_DAYS));
  const byId = new Map(pending.map((r) => [r.id, r]));
  const records: AttemptRecord[] = [];
  const recorded = new Set<string>();
  let relayName: string | null = null;

  const classify = (recipient: JobRecipient, outcome: RecipientOutcome): AttemptRecord => {
    if (outcome.status === "sent") {
      return { id: recipient.id, status: "sent", reply: outcome.reply, relay: relayName, nextAttemptAt: null };
    }
    if (outcome.status === "permanent" || expired) {
      // RFC 5321 section 4.5.4.1: give up after the horizon; RFC 3463 X.4.7 "delivery time expired".
      const gaveUp = outcome.status !== "permanent";
      const reply = gaveUp
        ? `${outcome.reply} (gave up after ${Math.round((now - job.queuedAt) / 3_600_000)} h of retries)`
        : outcome.reply;
      failures.push({ recipient, reply, ...(gaveUp ? { status: "5.4.7" } : {}) });
      return { id: recipient.id, status: "bounced", reply, relay: relayName, nextAttemptAt: null, dsn: DSN_PENDING };
    }
    return {
      id: recipient.id,
      status: outcome.relayError ? "relay-error" : "deferred",
      reply: outcome.reply,
      relay: relayName,
      nextAttemptAt: now + run.retryDelaySeconds * 1000,
    };
  };
  const record = async (outcomes: Map<string, RecipientOutcome>) => {
    const batch: AttemptRecord[] = [];
    for (const [id, outcome] of outcomes) {
      const recipient = byId.get(id);
      if (!recipient || recorded.has(id)) continue;
      recorded.add(id);
      const entry = classify(recipient, outcome);
      batch.push(entry);
      if (entry.status !== "bounced") records.push(entry);
    }
    await recordAttempts(env.DB, batch, now);
  };

  let original: Uint8Array | null = null;
  if (pending.length > 0) {
    const sent = await sendJob(env, job, pending, deps.relayFor ?? relayForDomain, async (chunk, relay) => {
      relayName = relay;
      await record(chunk);
    });
    relayName = sent.relay;
    original = sent.original;
    await record(sent.outcomes); // what no chunk recorded: a missing body, a configuration error
  } else {
    original = await readBody(env, job.r2Key);
  }
  return { job, attempts: run.attempts, now, relay: relayName, original, records, failures };
}

async function readBody(env: Env, r2Key: string): Promise<Uint8Array | null> {
  const object = await env.MAIL.get(r2Key);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}
