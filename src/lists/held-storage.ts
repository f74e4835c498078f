/**
 * Issue 10 item 17: the bytes a list may hold for moderation. Held bodies stay in R2 until a
 * moderator acts or the hold expires (hold_days), and anyone can post, so without a cap strangers
 * could park 25 MiB posts on every list as fast as Email Routing accepts them.
 *
 * Policy (README, Security):
 * - over the cap, a post that would be held and whose author is not an authenticated member is
 *   refused at SMTP with 552 5.2.2 (RFC 5321 section 4.2.2 "exceeded storage allocation";
 *   RFC 3463 X.2.2 "mailbox full"). Permanent, because Email Routing's setReject() gives the
 *   sender our exact reply only for a permanent refusal (a temporary one is its generic 4xx); the
 *   sending server tells its own user, so no bounce comes from us;
 * - an authenticated member's post is held whatever the cap: it is list traffic the moderators
 *   expect, its author is accountable, and refusing it would lose real mail. A post merely
 *   claiming a member's From (not authenticated) counts as a stranger's.
 */
import { sumHeldBytes } from "../store/held";
import type { Member } from "../store/members";

/** 100 MiB per list: four maximum-size posts, or thousands of ordinary ones. */
export const MAX_HELD_BYTES_PER_LIST = 100 * 1024 * 1024;

/** The SMTP reply for a post refused by the cap. */
export const HELD_STORAGE_FULL = {
  code: 552,
  enhanced: "5.2.2",
  text: "This list's moderation queue is full; try again after the moderators have caught up",
} as const;

/** True when this post may be held: an authenticated member, or room under the list's cap. */
export async function mayHold(
  db: D1Database,
  input: { list: string; size: number; member: Member | null; authenticated: boolean },
  cap = MAX_HELD_BYTES_PER_LIST,
): Promise<boolean> {
  if (input.member && input.member.status === "active" && input.authenticated) return true;
  return (await sumHeldBytes(db, input.list)) + input.size <= cap;
}
