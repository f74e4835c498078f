/**
 * The one batch runner behind every queue consumer. A consumer only says how to decode a job and
 * how to handle one; the runner owns what happens to the message:
 *
 * - a body that does not decode is logged loudly and acknowledged: retrying cannot repair it, and
 *   it names no rows we could mark; unless the consumer keeps malformed messages (`keepMalformed`,
 *   for bodies another system wrote): those are retried until the dead-letter queue keeps them;
 * - a job of an unknown version (UnknownJobVersionError) is retried as late as Queues allows, so
 *   a deployment that understands it can take it; the dead-letter queue gets it if none does;
 * - handled: "done" acks, "retry" retries after the consumer's backoff, "drop" logs and acks;
 * - a throw (D1, R2 or a queue failed) retries after the consumer's backoff: nothing was recorded
 *   as final, so running the job again is safe.
 *
 * Retrying uses `message.retry({ delaySeconds })` rather than a new job: the retry is atomic with
 * the ack, Queues counts the attempts, and `max_retries` plus the dead-letter queue still catch a
 * job that keeps failing for unforeseen reasons.
 */
import { UnknownJobVersionError } from "../core/jobs";
import { logError } from "../core/log";
import { MAX_DELAY_SECONDS } from "./backoff";

export type JobOutcome = "done" | "retry" | { drop: unknown };

/** What the runner tells a consumer about this run of a job. */
export interface JobRun {
  /** Queues' delivery count of the message (1 = first). */
  attempts: number;
  /**
   * The delay a retry of this run gets (consumer.backoff), computed once so the job can record
   * it (next_attempt_at) exactly as Queues will apply it. Undefined: Queues' default. A consumer
   * may lengthen it before returning "retry" (a provider's Retry-After).
   */
  retryDelaySeconds: number | undefined;
}

export interface Consumer<Job extends { messageLogId: string }> {
  /** Log unit of the consumer. */
  readonly unit: string;
  /**
   * A body that does not decode is retried (and so ends in the dead-letter queue after max_retries)
   * instead of acknowledged: for messages this Worker did not write, kept for inspection.
   */
  readonly keepMalformed?: boolean;
  /** Messages of one batch handled at once (default 1: one after the other). */
  readonly concurrency?: number;
  /** Decodes a message body; throws when it is not a job. */
  decode(body: unknown): Job;
  /** Seconds before a retry after `attempts` deliveries, or undefined for Queues' default. */
  backoff(attempts: number): number | undefined;
  handle(job: Job, run: JobRun): Promise<JobOutcome>;
  /** Called once the whole batch is handled (e.g. to end the relay sessions its jobs shared). */
  close?(): Promise<void>;
}

export async function runBatch<Job extends { messageLogId: string }>(
  batch: MessageBatch<unknown>,
  consumer: Consumer<Job>,
): Promise<void> {
  const queue = [...batch.messages];
  const workers = Array.from({ length: Math.min(consumer.concurrency ?? 1, queue.length) }, async () => {
    for (let message = queue.shift(); message; message = queue.shift()) await runMessage(message, consumer);
  });
  try {
    await Promise.all(workers);
  } finally {
    await consumer.close?.();
  }
}

async function runMessage<Job extends { messageLogId: string }>(
  message: Message<unknown>,
  consumer: Consumer<Job>,
): Promise<void> {
  const { unit } = consumer;
  let job: Job;
  try {
    job = consumer.decode(message.body);
  } catch (error) {
    if (error instanceof UnknownJobVersionError) {
      logError({ stage: "queue", unit, outcome: "unknown-job-version", messageId: message.id, error });
      message.retry({ delaySeconds: MAX_DELAY_SECONDS });
      return;
    }
    logError({ stage: "queue", unit, outcome: "malformed-job", messageId: message.id, error });
    if (consumer.keepMalformed) message.retry();
    else message.ack();
    return;
  }
  const run: JobRun = { attempts: message.attempts, retryDelaySeconds: consumer.backoff(message.attempts) };
  const retry = () =>
    message.retry(run.retryDelaySeconds === undefined ? undefined : { delaySeconds: run.retryDelaySeconds });
  try {
    const outcome = await consumer.handle(job, run);
    if (outcome === "done") message.ack();
    else if (outcome === "retry") retry();
    else {
      // The job can never succeed (what it names is gone): logged, then acknowledged.
      logError({ stage: "queue", unit, outcome: "dropped", messageId: job.messageLogId, error: outcome.drop });
      message.ack();
    }
  } catch (error) {
    logError({ stage: "queue", unit, outcome: "job-error", messageId: job.messageLogId, error });
    retry();
  }
}
