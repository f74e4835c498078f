/**
 * Sweep: the lists' housekeeping (lists/moderation.ts sweepLists): held posts and confirmation
 * tokens past their expiry, and members' copies the relay refused outright, scored as bounces.
 */
import { sweepLists } from "../lists/moderation";
import type { Sweep } from "./sweep";

export const listHousekeeping: Sweep = {
  name: "list-housekeeping",
  description: "expire held posts and confirmation tokens; score relay refusals of members' copies as bounces",
  run: async (env, now) => {
    const { expired, scored } = await sweepLists(env, now);
    return expired + scored;
  },
};
