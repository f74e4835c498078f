/**
 * A job that exhausted max_retries (it reached the dead-letter queue): its recipients that are not
 * final become `failed` (visible in GET /api/v1/deliveries?status=failed), with the reason. The
 * caller reports them to the sender (bounce/) and notes the report on the rows.
 */
import type { DeliveryJob } from "../core/jobs";
import { failDeliveries } from "../store/deliveries";
import type { PermanentFailure } from "./deliver-job";

export interface AbandonedJob {
  /** Recipients that were still pending, now failed. */
  failures: PermanentFailure[];
  /** The stored message (for the DSN), or null when it is missing or nothing failed. */
  original: Uint8Array | null;
}

export async function abandonJob(env: Env, job: DeliveryJob, attempts: number, now: number): Promise<AbandonedJob> {
  const reply = `554 5.4.0 delivery abandoned: job dead-lettered after ${attempts} consumer attempts`;
  const failed = await failDeliveries(
    env.DB,
    job.recipients.map((r) => r.id),
    reply,
    now,
  );
  const byId = new Map(job.recipients.map((r) => [r.id, r]));
  const object = failed.length ? await env.MAIL.get(job.r2Key) : null;
  return {
    // RFC 3463 X.4.0: other or undefined network or routing status; the row's last reply says more.
    failures: failed.map((row) => ({ recipient: byId.get(row.id)!, reply: row.lastReply ?? reply, status: "5.4.0" })),
    original: object ? new Uint8Array(await object.arrayBuffer()) : null,
  };
}
