/**
 * The posting chain: a table, not code (Mailman's chains/builtin.py). The first row whose rule
 * matches decides; a post no row stops is accepted. "non-member-action" rows defer to the list's
 * own non_member_action (hold / reject / discard).
 */
import { administrivia } from "./rules/administrivia";
import { autoSubmitted } from "./rules/auto-submitted";
import { loop } from "./rules/loop";
import { maxSize } from "./rules/max-size";
import { announceOnly, moderated, nonMember, unauthenticatedMember } from "./rules/membership";
import type { ChainRow, PostContext, PostVerdict } from "./rules/types";

export const POSTING_CHAIN: readonly ChainRow[] = [
  { rule: loop, action: "discard" }, // our own copy came back: never re-send it
  { rule: autoSubmitted, action: "discard" }, // vacation replies and bulk mail are not posts
  { rule: announceOnly, action: "non-member-action" }, // announce: owners and moderators only
  { rule: nonMember, action: "non-member-action" }, // members: the author must be a member…
  { rule: unauthenticatedMember, action: "non-member-action" }, // …and prove it (no forged From)
  { rule: administrivia, action: "reject" }, // "unsubscribe" to the list: point to -request
  { rule: moderated, action: "hold" }, // moderated: every post waits
  { rule: maxSize, action: "hold" }, // too large for every member's copy: a moderator decides
];

export function runPostingChain(chain: readonly ChainRow[], context: PostContext): PostVerdict {
  for (const row of chain) {
    const reason = row.rule.check(context);
    if (reason === undefined) continue;
    const action = row.action === "non-member-action" ? context.list.nonMemberAction : row.action;
    return { action, rule: row.rule.name, reason };
  }
  return { action: "accept", rule: "accept", reason: `${context.list.policy} list: post accepted` };
}
