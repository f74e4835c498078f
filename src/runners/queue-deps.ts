/**
 * What queue() injects into its consumers (createWorker overrides, for tests): the relay, the
 * clock, the backoff jitter and the fan-out key store.
 */
import type { DeliverDeps } from "../deliver/deliver-job";
import type { FanoutDeps } from "../lists/fanout";

export interface QueueDeps extends DeliverDeps, FanoutDeps {
  /** In [0, 1): backoff jitter. */
  random?: () => number;
  /** Body bytes the delivery jobs of one batch may hold at once (deliver/body-budget.ts). */
  bodyBytesInFlight?: number;
  /** How long a webhook POST may take (tests shorten it). */
  webhookTimeoutMs?: number;
}
