/**
 * Sweep: delivery rows that never reached the queue. enqueueDelivery writes the rows, then sends
 * the jobs; when the send fails, email() throws and the sending server retries, which records the
 * message again under a new message log id and delivers it. The first rows stay `queued` with no
 * job behind them. Re-queueing them would deliver twice, so they are closed as `failed`, with the
 * reason, and their body becomes eligible for the retention sweep.
 */

import { failUntriedDeliveries } from "../store/delivery-sweeps";
import type { Sweep } from "./sweep";

/**
 * A job is consumed within seconds to minutes; a row still untried after this long has no job.
 * Generous, so a long queue backlog is never mistaken for an orphan.
 */
export const ORPHAN_AFTER_MS = 24 * 60 * 60 * 1000;
/** Rows closed per run, to stay inside one invocation's limits; the next tick continues. */
const ORPHANS_PER_RUN = 1000;
const NEVER_QUEUED_REPLY = "554 5.3.0 never handed to the delivery queue (the sending server was told to retry)";

export const failOrphanedDeliveries: Sweep = {
  name: "fail-orphaned-deliveries",
  description: "close delivery rows left queued and untried by a failed hand-off to the queue",
  async run(env, now) {
    return failUntriedDeliveries(env.DB, now - ORPHAN_AFTER_MS, NEVER_QUEUED_REPLY, ORPHANS_PER_RUN, now);
  },
};
