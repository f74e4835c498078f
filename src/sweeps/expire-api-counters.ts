/**
 * Sweep for scheduled(): deletes failed-authentication counters whose window and block are over,
 * and send-rate windows that have ended. Both tables only grow otherwise (one row per probing
 * client, one per user and hour).
 */

import { pruneAuthFailures } from "../credentials/auth-throttle";
import { pruneSendCounts } from "../credentials/send-rate";
import { pruneReplyCounts } from "../lists/reply-limit";
import type { Sweep } from "./sweep";

export const expireApiCounters: Sweep = {
  name: "expire-api-counters",
  description: "drop finished failed-authentication, send-rate and automatic-reply windows",
  run: async (env, now) => {
    const results = await env.DB.batch([
      pruneAuthFailures(env.DB, now),
      pruneSendCounts(env.DB, now),
      pruneReplyCounts(env.DB, now),
    ]);
    return results.reduce((sum, r) => sum + (r.meta.changes ?? 0), 0);
  },
};
