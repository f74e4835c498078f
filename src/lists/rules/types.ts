/**
 * The posting chain's vocabulary (Mailman 3's rules and chains, STYLE.md): a rule is a tiny
 * named check with no side effects that says whether it matches and why; the chain is a table of
 * (rule, action) rows, so the policy reads as data.
 */
import type { AuthResults } from "../../authenticate";
import type { ListAddresses } from "../../mail/minted-address";
import type { ReceivedMessage } from "../../receive";
import type { List, Member } from "../types";

export interface PostContext {
  readonly list: List;
  readonly addresses: ListAddresses;
  readonly listId: string;
  readonly message: ReceivedMessage;
  readonly auth: AuthResults;
  /** The From author, lower-cased (routing guarantees exactly one, rules/header-from.ts). */
  readonly author: string | null;
  /** The author's membership row, whatever its status; null for a non-member. */
  readonly member: Member | null;
  /** The largest message the list domain's relay takes, when it says (deliver/relay.ts). */
  readonly relayMaxBytes?: number;
}

export interface PostRule {
  readonly name: string;
  readonly description: string;
  /** The reason it matched, or undefined when it does not. */
  check(context: PostContext): string | undefined;
}

/** "non-member-action": the list's own setting (hold / reject / discard) decides. */
export type PostAction = "hold" | "reject" | "discard" | "non-member-action";

export interface ChainRow {
  readonly rule: PostRule;
  readonly action: PostAction;
}

export type PostVerdict =
  | { action: "accept"; rule: string; reason: string }
  | { action: "hold" | "reject" | "discard"; rule: string; reason: string };
