/**
 * Sweep: delivery rows whose job never reached the queue. enqueueDeliveryJobs writes the rows,
 * sends the jobs, and marks each row `enqueued_at` once its sendBatch succeeded; a row without
 * the mark after ORPHAN_AFTER_MS has no job behind it (a queue outage, a throw between the insert
 * and the send). It is re-queued, never failed: failing it would lose the mail. A row that did
 * reach the queue is never touched here, whatever the backlog: its job is still there (14-day
 * retention, README "Security") and the give-up horizon ends it.
 *
 * The re-queued job knows only what the row holds: no per-member header block, and, because the
 * original authentication verdict is not stored, no DSN (senderAuthenticated false: no backscatter).
 */
import type { DeliveryJob, DeliveryOrigin } from "../core/jobs";
import { sendJobs, splitIntoJobs } from "../deliver/enqueue";
import { markDeliveriesEnqueued } from "../store/deliveries";
import { listNeverEnqueuedDeliveries, type NeverEnqueuedDelivery } from "../store/delivery-sweeps";
import type { Sweep } from "./sweep";

/** A job is queued within the request that wrote its rows; an hour later, none is coming. */
export const ORPHAN_AFTER_MS = 60 * 60 * 1000;
/** Rows re-queued per run, to stay inside one invocation's limits; the next tick continues. */
export const ORPHANS_PER_RUN = 500;

/** The jobs that carry these rows: one group per stored body and domain. */
export function jobsForOrphans(rows: NeverEnqueuedDelivery[]): DeliveryJob[] {
  const groups = new Map<string, NeverEnqueuedDelivery[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.r2Key, row.domain, row.messageLogId, row.origin]);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const jobs: DeliveryJob[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const base: Omit<DeliveryJob, "recipients"> = {
      v: 1,
      r2Key: first.r2Key,
      mailFrom: first.mailFrom,
      attempt: 0,
      origin: first.origin as DeliveryOrigin,
      messageLogId: first.messageLogId,
      domain: first.domain,
      queuedAt: Math.min(...group.map((r) => r.createdAt)),
      senderAuthenticated: false,
      autoSubmitted: true,
    };
    const recipients = group.map((r) => ({
      id: r.id,
      rcpt: r.rcpt,
      ...(r.mailFrom !== first.mailFrom ? { mailFrom: r.mailFrom } : {}),
    }));
    jobs.push(...splitIntoJobs(base, recipients));
  }
  return jobs;
}

export const requeueOrphanedDeliveries: Sweep = {
  name: "requeue-orphaned-deliveries",
  description: "re-queue delivery rows whose job never reached the queue",
  async run(env, now) {
    const rows = await listNeverEnqueuedDeliveries(env.DB, now - ORPHAN_AFTER_MS, ORPHANS_PER_RUN);
    if (rows.length === 0) return 0;
    await sendJobs(env.DELIVERY_QUEUE, jobsForOrphans(rows), undefined, (sent) =>
      markDeliveriesEnqueued(
        env.DB,
        sent.flatMap((job) => job.recipients.map((r) => r.id)),
        now,
      ),
    );
    return rows.length;
  },
};
