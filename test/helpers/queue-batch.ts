/** Runs jobs through the Worker's queue() as Queues would, recording each retry's options. */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { createWorker, type WorkerDeps } from "../../src/index";

export interface RecordedRetry {
  msgId: string;
  delaySeconds?: number;
}

let nextMessage = 0;

/**
 * Delivers `jobs` from `queue` with `attempts` deliveries so far (1 = first). getQueueResult()
 * reports which messages were retried but not their delaySeconds, so the messages are wrapped to
 * record the retry options, then call through to the real ones.
 */
export async function runQueueJobs<T>(
  queue: string,
  jobs: T[],
  testEnv: Env,
  deps: Partial<WorkerDeps>,
  attempts: number,
  idPrefix: string,
) {
  const messages = jobs.map((body) => ({ id: `${idPrefix}-${++nextMessage}`, timestamp: new Date(), attempts, body }));
  const batch = createMessageBatch<T>(queue, messages);
  const retries: RecordedRetry[] = [];
  const wrapped: MessageBatch<T> = {
    queue: batch.queue,
    metadata: batch.metadata,
    messages: batch.messages.map((m) => ({
      id: m.id,
      timestamp: m.timestamp,
      body: m.body,
      attempts: m.attempts,
      ack: () => m.ack(),
      retry: (options?: QueueRetryOptions) => {
        retries.push({ msgId: m.id, delaySeconds: options?.delaySeconds });
        m.retry(options);
      },
    })),
    ackAll: () => batch.ackAll(),
    retryAll: (options?: QueueRetryOptions) => batch.retryAll(options),
  };
  const ctx = createExecutionContext();
  await createWorker(deps).queue(wrapped, testEnv, ctx);
  return { result: await getQueueResult(batch, ctx), ids: messages.map((m) => m.id), retries };
}
