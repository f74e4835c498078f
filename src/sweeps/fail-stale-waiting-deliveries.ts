/**
 * Sweep: rows waiting for a retry (deferred, relay-error) whose retry never came. The consumer
 * retries a job well inside the give-up horizon (GIVE_UP_DAYS), and the queue keeps it 14 days;
 * a row whose retry was due more than a day ago and that is older than the horizon plus a day has
 * lost its job (a purged queue, an expired message). It is closed as failed, with the reason,
 * so its body can expire and the API stops showing it as pending.
 */
import { giveUpAfterMs } from "../deliver/give-up";
import { failStaleWaitingDeliveries } from "../store/delivery-sweeps";
import type { Sweep } from "./sweep";

const DAY_MS = 86_400_000;
const STALE_PER_RUN = 500;
const LOST_JOB_REPLY = "554 5.4.7 the retry never came: the queue no longer holds this delivery's job";

export const failStaleWaiting: Sweep = {
  name: "fail-stale-waiting-deliveries",
  description: "close deferred rows whose retry is long overdue (the job is gone)",
  async run(env, now) {
    const bounds = { dueBefore: now - DAY_MS, createdBefore: now - giveUpAfterMs(env.GIVE_UP_DAYS) - DAY_MS };
    return failStaleWaitingDeliveries(env.DB, bounds, LOST_JOB_REPLY, STALE_PER_RUN, now);
  },
};
