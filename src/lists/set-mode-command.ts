/**
 * The -request commands that change a member's delivery mode (Mailman's "set digest", "set
 * nomail"): `set each`, `set digest daily`, `set digest weekly`, `set nomail`. They reach
 * handleCommand only from an authenticated requester (DMARC pass or aligned DKIM/SPF for the
 * From: handle-list-message.ts), within the daily reply allowance, so they act on the
 * requester's own membership at once: the sender proved the address, no token is needed.
 */
import type { DeliveryMode } from "../store/delivery-modes";
import { updateDeliveryMode } from "../store/delivery-modes";
import { findMember } from "../store/members";

const SET_COMMAND = /^\s*(?:re:\s*)*set\s+(each|nomail|digest\s+daily|digest\s+weekly)\s*$/i;

const MODE_OF: Record<string, DeliveryMode> = {
  each: "each",
  nomail: "nomail",
  "digest daily": "digest_daily",
  "digest weekly": "digest_weekly",
};

const DESCRIPTION: Record<DeliveryMode, string> = {
  each: "every post as it is sent",
  digest_daily: "one digest a day (multipart/digest)",
  digest_weekly: "one digest a week (multipart/digest)",
  nomail: "no mail (you stay subscribed, may post and read the archive)",
};

/** The mode a command line sets, or null when the line is not a set command. */
export function parseSetMode(line: string): DeliveryMode | null {
  const match = SET_COMMAND.exec(line);
  return match ? (MODE_OF[match[1]!.toLowerCase().replace(/\s+/g, " ")] ?? null) : null;
}

export const SET_MODE_HELP = [
  "  set each          every post as it is sent",
  "  set digest daily  one digest a day",
  "  set digest weekly one digest a week",
  "  set nomail        stay subscribed without mail",
];

/** Sets the requester's mode; the answer tells them what happened (subject, text, log reason). */
export async function setModeForRequester(
  db: D1Database,
  input: { listAddress: string; requester: string; mode: DeliveryMode; now: number },
): Promise<{ subject: string; text: string; reason: string }> {
  const member = await findMember(db, input.listAddress, input.requester);
  if (member?.status !== "active") {
    return {
      subject: `${input.requester} is not subscribed to ${input.listAddress}`,
      text: `Only a member can set a delivery mode. To join, send "subscribe" to this address.`,
      reason: `set ${input.mode}: ${input.requester} is not an active member`,
    };
  }
  await updateDeliveryMode(db, input.listAddress, input.requester, input.mode, input.now);
  return {
    subject: `Delivery for ${input.listAddress}: ${DESCRIPTION[input.mode].split(" (")[0]}`,
    text: `From now on you get ${DESCRIPTION[input.mode]} from ${input.listAddress}.\n\nTo change it, send one of these to this address:\n${SET_MODE_HELP.join("\n")}`,
    reason: `delivery mode of ${input.requester} set to ${input.mode}`,
  };
}
