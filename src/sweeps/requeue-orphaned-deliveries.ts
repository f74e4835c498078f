/**
 * Sweep: delivery rows whose job never reached the queue. enqueueDeliveryJobs writes the rows,
 * sends the jobs, and marks each row `enqueued_at` once its sendBatch succeeded; a row without
 * the mark after ORPHAN_AFTER_MS has no job behind it (a queue outage, a throw between the insert
 * and the send). It is re-queued, never failed: failing it would lose the mail. A row that did
 * reach the queue is never touched here, whatever the backlog: its job is still there (14-day
 * retention, README "Security") and the give-up horizon ends it.
 *
 * The re-queued job knows only what the row holds (deliver/requeue.ts): no per-member header
 * block, and no DSN.
 */
import { jobsForStoredRows, requeueStoredRows } from "../deliver/requeue";
import { listNeverEnqueuedDeliveries } from "../store/delivery-sweeps";
import type { Sweep } from "./sweep";

/** A job is queued within the request that wrote its rows; an hour later, none is coming. */
export const ORPHAN_AFTER_MS = 60 * 60 * 1000;
/** Rows re-queued per run, to stay inside one invocation's limits; the next tick continues. */
export const ORPHANS_PER_RUN = 500;

/** The jobs that carry these rows: one group per stored body and domain. */
export const jobsForOrphans = jobsForStoredRows;

export const requeueOrphanedDeliveries: Sweep = {
  name: "requeue-orphaned-deliveries",
  description: "re-queue delivery rows whose job never reached the queue",
  async run(env, now) {
    const rows = await listNeverEnqueuedDeliveries(env.DB, now - ORPHAN_AFTER_MS, ORPHANS_PER_RUN);
    if (rows.length === 0) return 0;
    await requeueStoredRows(env, rows, now);
    return rows.length;
  },
};
