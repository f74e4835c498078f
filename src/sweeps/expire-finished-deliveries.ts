/** Sweep: finished delivery rows past the retention period, and the R2 bodies no row still needs. */
import { deleteDeliveriesByBodies, listExpiredDeliveryBodies } from "../store/delivery-sweeps";
import { retentionCutoff, SWEEP_BATCH } from "./retention";
import type { Sweep } from "./sweep";

export const expireFinishedDeliveries: Sweep = {
  name: "expire-finished-deliveries",
  description: "delete delivery rows in a final state older than the retention period, and their bodies",
  async run(env, now) {
    const cutoff = retentionCutoff(env, now);
    // A body is shared by every recipient of a message: delete it only when no row still uses it.
    const keys = await listExpiredDeliveryBodies(env.DB, cutoff, SWEEP_BATCH);
    if (keys.length === 0) return 0;
    await env.MAIL.delete(keys);
    return deleteDeliveriesByBodies(env.DB, keys, cutoff);
  },
};
