/**
 * A mailing list and its members as the posting chain, the transform pipeline and the fan-out see
 * them (rows from migrations/0004_create_list_schema.sql, typed).
 */
export type ListPolicy = "open" | "members" | "moderated" | "announce";
export type NonMemberAction = "hold" | "reject" | "discard";
export type DmarcMode = "auto" | "munge" | "wrap" | "none";
export type ReplyToPolicy = "list" | "author" | "none";
export type MemberRole = "member" | "moderator" | "owner";
export type MemberStatus = "active" | "disabled" | "pending";

export const LIST_POLICIES: readonly ListPolicy[] = ["open", "members", "moderated", "announce"];
export const NON_MEMBER_ACTIONS: readonly NonMemberAction[] = ["hold", "reject", "discard"];
export const DMARC_MODES: readonly DmarcMode[] = ["auto", "munge", "wrap", "none"];
export const REPLY_TO_POLICIES: readonly ReplyToPolicy[] = ["list", "author", "none"];
export const MEMBER_ROLES: readonly MemberRole[] = ["member", "moderator", "owner"];
export const MEMBER_STATUSES: readonly MemberStatus[] = ["active", "disabled", "pending"];

export interface List {
  address: string;
  lookup: string;
  domain: string;
  localPart: string;
  name: string;
  description: string | null;
  policy: ListPolicy;
  nonMemberAction: NonMemberAction;
  dmarcMode: DmarcMode;
  /** Author domains whose From is always rewritten (auto mode), e.g. gmail.com (see rules/dmarc-policy.ts). */
  dmarcAlwaysDomains: string[];
  subjectPrefix: string | null;
  replyTo: ReplyToPolicy;
  maxMessageBytes: number;
  holdDays: number;
  bounceThreshold: number;
  bounceQuietDays: number;
  archiveUrl: string | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Member {
  listAddress: string;
  address: string;
  lookup: string;
  /** Names the member in VERP bounce addresses (store/members.ts memberVerpKey). */
  verpKey: string;
  displayName: string | null;
  role: MemberRole;
  status: MemberStatus;
  receiveOwn: boolean;
  bounceScore: number;
  lastBounceAt: number | null;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The addresses a list owns, derived from its post address (issue 4, "Data and addresses"). */
export interface ListAddresses {
  post: string;
  request: string;
  owner: string;
  bounces: string;
  /** team-confirm+<token>@d */
  confirm(token: string): string;
}

export function listAddresses(list: Pick<List, "localPart" | "domain">): ListAddresses {
  const at = `@${list.domain}`;
  return {
    post: `${list.localPart}${at}`,
    request: `${list.localPart}-request${at}`,
    owner: `${list.localPart}-owner${at}`,
    bounces: `${list.localPart}-bounces${at}`,
    confirm: (token) => `${list.localPart}-confirm+${token}${at}`,
  };
}

/** RFC 2919 section 3: list-id is a dot-atom under a domain the list owner controls. */
export function listIdOf(list: Pick<List, "localPart" | "domain">): string {
  return `${list.localPart.toLowerCase().replace(/[^a-z0-9-]/g, "-")}.${list.domain}`;
}
