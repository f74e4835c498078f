/** Sweep: the daily and weekly digests that are due (lists/digest/send-digests.ts). */
import { sendDigests } from "../lists/digest/send-digests";
import type { Sweep } from "./sweep";

export const sendDigestsSweep: Sweep = {
  name: "send-digests",
  description: "claim each list's posts of the period that ended and send its daily and weekly digests",
  run: (env, now) => sendDigests(env, now),
};
