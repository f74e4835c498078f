/**
 * queue(): one Worker consumes several queues, and `batch.queue` says which. Each queue name maps
 * to the consumer that handles its jobs; every consumer runs through the one batch runner.
 */
import { QUEUES } from "../core/queues";
import { type Consumer, runBatch } from "./batch-runner";
import { deadLetterConsumer } from "./dead-letter-consumer";
import { deliveryConsumer } from "./delivery-consumer";
import { fanoutConsumer } from "./fanout-consumer";
import type { QueueDeps } from "./queue-deps";
import { sendingEventsConsumer } from "./sending-events-consumer";
import { webhookConsumer } from "./webhook-consumer";

type ConsumerFor = (env: Env, deps: QueueDeps) => Consumer<{ messageLogId: string }>;

const CONSUMERS: Readonly<Record<string, ConsumerFor>> = {
  [QUEUES.delivery]: deliveryConsumer, // send, report permanent failures, record; retry while deferred
  [QUEUES.deliveryDeadLetter]: deadLetterConsumer, // jobs past max_retries: fail the rows, report
  [QUEUES.fanout]: fanoutConsumer, // one page of list members into delivery jobs
  [QUEUES.webhooks]: webhookConsumer, // one signed POST of an accepted message; retry while failing
  [QUEUES.sendingEvents]: sendingEventsConsumer, // Email Sending's events: rows, suppressions, list bounces
};

export async function dispatchQueue(batch: MessageBatch<unknown>, env: Env, deps: QueueDeps = {}): Promise<void> {
  // wrangler.toml binds only these queues to this Worker; any other name gets the delivery
  // consumer, the Worker's default.
  const consumerFor = CONSUMERS[batch.queue] ?? deliveryConsumer;
  await runBatch(batch, consumerFor(env, deps));
}
