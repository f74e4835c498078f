/**
 * Sweep: the copies of auto-replies kept in R2 (`autoreply/`), older than the retention period. A
 * copy sent through the relay is also that delivery's body; the give-up horizon (days) ends its
 * delivery long before the retention period (weeks).
 */
import { retentionCutoff, SWEEP_BATCH } from "./retention";
import type { Sweep } from "./sweep";

export const expireAutoReplyCopies: Sweep = {
  name: "expire-auto-reply-copies",
  description: "delete auto-reply copies in R2 older than the retention period",
  async run(env, now) {
    const cutoff = retentionCutoff(env, now);
    const listing = await env.MAIL.list({ prefix: "autoreply/", limit: SWEEP_BATCH });
    const old = listing.objects.filter((o) => o.uploaded.getTime() < cutoff).map((o) => o.key);
    if (old.length > 0) await env.MAIL.delete(old);
    return old.length;
  },
};
