/**
 * The dead-letter consumer (queue `facteur-delivery-dlq`): a delivery job that exhausted
 * max_retries. Its pending recipients become `failed`, their sender gets a DSN when mayBounce
 * allows, and the rows note it. A D1 failure retries the dead-letter message.
 */
import { markReported, reportFailures } from "../bounce/report-failures";
import type { DeliveryJob } from "../core/jobs";
import { log } from "../core/log";
import { abandonJob } from "../deliver/abandon-job";
import { parseDeliveryJob } from "../deliver/job";
import type { Consumer } from "./batch-runner";
import type { QueueDeps } from "./queue-deps";

export function deadLetterConsumer(env: Env, deps: QueueDeps): Consumer<DeliveryJob> {
  const now = deps.now ?? Date.now;
  return {
    unit: "dead-letter",
    decode: parseDeliveryJob,
    // Queues' default delay: the job already waited through the whole backoff schedule.
    backoff: () => undefined,
    async handle(job, run) {
      const { failures, original } = await abandonJob(env, job, run.attempts, now());
      const notes = await reportFailures(env, job, failures, original, now);
      await markReported(env.DB, notes, now());
      log({
        stage: "queue",
        unit: "dead-letter",
        outcome: "failed",
        messageId: job.messageLogId,
        rcpts: failures.map((f) => f.recipient.rcpt),
      });
      return "done";
    },
  };
}
