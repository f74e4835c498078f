/**
 * Sweep: webhook deliveries finished longer ago than the retention period, with their attempts
 * and the raw message they shared in R2 (its signed links expire after 7 days, well before).
 */
import { deleteWebhookDeliveriesByBodies, listExpiredWebhookBodies } from "../store/webhook-deliveries";
import { retentionCutoff, SWEEP_BATCH } from "./retention";
import type { Sweep } from "./sweep";

export const expireWebhookDeliveries: Sweep = {
  name: "expire-webhook-deliveries",
  description: "delete finished webhook deliveries older than the retention period, and their raw messages",
  async run(env, now) {
    const keys = await listExpiredWebhookBodies(env.DB, retentionCutoff(env, now), SWEEP_BATCH);
    if (keys.length === 0) return 0;
    await env.MAIL.delete(keys);
    return deleteWebhookDeliveriesByBodies(env.DB, keys);
  },
};
