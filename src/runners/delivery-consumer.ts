/**
 * The delivery consumer (queue `facteur-delivery`): deliver one job (each chunk recorded as it is
 * sent), then report its permanent failures to the sender and note the DSNs, and warn the sender
 * once of a delivery still deferred after DELAY_WARNING_HOURS (bounce/warn-delayed.ts). The runner acks it, or retries it with backoff while a
 * recipient is deferred.
 */

import { reportFailures } from "../bounce/report-failures";
import { warnDelayed } from "../bounce/warn-delayed";
import type { DeliveryJob } from "../core/jobs";
import { logError } from "../core/log";
import { BodyBudget } from "../deliver/body-budget";
import { deliverJob } from "../deliver/deliver-job";
import { parseDeliveryJob } from "../deliver/job";
import { recordAttempt } from "../deliver/record-attempt";
import { RelayScope } from "../deliver/relay-scope";
import { relayForDomain } from "../deliver/relays";
import { backoffDelaySeconds } from "./backoff";
import type { Consumer, JobOutcome, JobRun } from "./batch-runner";
import type { QueueDeps } from "./queue-deps";

/** Jobs of one batch handled at once. Workers allow 6 simultaneous outgoing connections. */
export const CONCURRENT_JOBS = 4;

export function deliveryConsumer(env: Env, deps: QueueDeps): Consumer<DeliveryJob> {
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  // The jobs of one batch share relay sessions: one pool per relay, one connection budget.
  const scope = new RelayScope();
  const relayFor = scope.wrap(deps.relayFor ?? relayForDomain);
  // The jobs of one batch share a budget of body bytes in flight (deliver/body-budget.ts).
  const budget = new BodyBudget(deps.bodyBytesInFlight);
  async function handleJob(job: DeliveryJob, run: JobRun): Promise<JobOutcome> {
    const retryDelaySeconds = run.retryDelaySeconds!;
    const attempt = await deliverJob(
      env,
      job,
      { attempts: run.attempts, retryDelaySeconds },
      { ...deps, relayFor, now },
    );
    if (!attempt) return "done";
    run.retryDelaySeconds = attempt.retryDelaySeconds;
    // Every chunk is already recorded (deliver-job.ts): a DSN that cannot be queued now is
    // retried on its own with the job, and nobody is sent the message twice. The DSN's key is
    // deterministic, so a retry does not queue a second one.
    let notes: Map<string, string>;
    try {
      notes = await reportFailures(env, job, attempt.failures, attempt.original, now);
    } catch (error) {
      logError({ stage: "bounce", unit: "consumer", outcome: "dsn-failed", messageId: job.messageLogId, error });
      return "retry";
    }
    if (!(await recordAttempt(env, attempt, notes))) return "done";
    // Still deferred: past DELAY_WARNING_HOURS the sender hears once that it is late. A warning
    // that cannot be queued now is tried again on the job's next attempt (its claim is released).
    try {
      await warnDelayed(env, attempt);
    } catch (error) {
      logError({
        stage: "bounce",
        unit: "consumer",
        outcome: "delay-warning-failed",
        messageId: job.messageLogId,
        error,
      });
    }
    return "retry";
  }

  return {
    unit: "consumer",
    concurrency: CONCURRENT_JOBS,
    decode: parseDeliveryJob,
    backoff: (attempts) => backoffDelaySeconds(attempts, random),
    async handle(job, run) {
      // An R2 failure here is handled where the body is read (deliverJob): counted as empty.
      const size = await env.MAIL.head(job.r2Key).then(
        (object) => object?.size ?? 0,
        () => 0,
      );
      const release = await budget.acquire(size);
      try {
        return await handleJob(job, run);
      } finally {
        release();
      }
    },
    close: () => scope.close(),
  };
}
