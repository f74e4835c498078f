/**
 * The webhook consumer (queue `facteur-webhooks`): one POST per job, retried with backoff while
 * the receiver fails, until the give-up horizon (GIVE_UP_DAYS).
 */
import type { WebhookJob } from "../core/webhook-job";
import { giveUpAfterMs } from "../deliver/give-up";
import { deliverWebhook } from "../webhooks/deliver-webhook";
import { parseWebhookJob } from "../webhooks/job";
import { WEBHOOK_TIMEOUT_MS } from "../webhooks/post-webhook";
import { webhookBackoffSeconds } from "./backoff";
import type { Consumer } from "./batch-runner";
import type { QueueDeps } from "./queue-deps";

/** Receivers are independent of each other: a few POSTs at once. */
const CONCURRENT_POSTS = 4;

export function webhookConsumer(env: Env, deps: QueueDeps): Consumer<WebhookJob> {
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  return {
    unit: "webhooks",
    concurrency: CONCURRENT_POSTS,
    decode: parseWebhookJob,
    backoff: (attempts) => webhookBackoffSeconds(attempts, random),
    handle: (job, run) =>
      deliverWebhook(env, job, run.retryDelaySeconds, {
        now,
        timeoutMs: deps.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS,
        giveUpMs: giveUpAfterMs(env.GIVE_UP_DAYS),
      }),
  };
}
