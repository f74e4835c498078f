/**
 * A mailing list and its members as the posting chain, the transform pipeline and the fan-out see
 * them: the types are the data layer's (store/lists.ts, store/members.ts, store/list-settings.ts).
 */
import type { List } from "../store/lists";

export type { DmarcMode, ListPolicy, NonMemberAction, ReplyToPolicy } from "../store/list-settings";
export type { List } from "../store/lists";
export type { Member, MemberRole, MemberStatus } from "../store/members";

/** RFC 2919 section 3: list-id is a dot-atom under a domain the list owner controls. */
export function listIdOf(list: Pick<List, "localPart" | "domain">): string {
  return `${list.localPart.toLowerCase().replace(/[^a-z0-9-]/g, "-")}.${list.domain}`;
}
