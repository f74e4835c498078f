/**
 * How often the lists answer one requester automatically (help, "already subscribed", "not a
 * member", confirmation requests): a policy, stored per requester and day (store/reply-counts.ts).
 *
 * Only authenticated requesters are answered at all (handle-list-message.ts), but an authenticated
 * address can still be an auto-responder in a loop, or a script mailing every list of the domain:
 * the count is per requester across all lists, so N lists do not multiply it.
 */
import { deleteReplyCountsBefore, incrementReplyCount } from "../store/reply-counts";

/** Automatic replies one requester can receive per day window, across all lists. */
export const AUTO_REPLIES_PER_DAY = 5;
const DAY_MS = 86_400_000;

/** Takes one reply from the requester's daily allowance; false when it is used up (send nothing). */
export async function takeReplyAllowance(db: D1Database, requester: string, now: number): Promise<boolean> {
  const windowStart = now - (now % DAY_MS);
  return (await incrementReplyCount(db, requester, windowStart)) <= AUTO_REPLIES_PER_DAY;
}

/** Deletes day windows that have ended (for the scheduled sweep). */
export function pruneReplyCounts(db: D1Database, now: number): D1PreparedStatement {
  return deleteReplyCountsBefore(db, now - (now % DAY_MS));
}
