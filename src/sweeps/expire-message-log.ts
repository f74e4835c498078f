/** Sweep: inbound log retention. */
import { deleteMessagesReceivedBefore } from "../store/messages";
import { retentionCutoff, SWEEP_BATCH } from "./retention";
import type { Sweep } from "./sweep";

export const expireMessageLog: Sweep = {
  name: "expire-message-log",
  description: "delete inbound log rows older than the retention period",
  async run(env, now) {
    return deleteMessagesReceivedBefore(env.DB, retentionCutoff(env, now), SWEEP_BATCH);
  },
};
