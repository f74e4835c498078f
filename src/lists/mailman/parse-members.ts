/**
 * Mailman 3 rosters: the REST JSON of /3.1/lists/{list}/roster/member, /owner and /moderator (a
 * collection: {"entries": [{"email", "display_name", "role", "delivery_mode", …}]}) and the output
 * of `mailman members <list>` (one address a line, optionally "Display Name <address>").
 */
import { parseAddress } from "../../mail/address";
import type { DeliveryMode } from "../../store/delivery-modes";
import type { MemberRole } from "../../store/members";

export interface MailmanMember {
  address: string;
  displayName: string | null;
  role: MemberRole;
  deliveryMode: DeliveryMode;
}

const ROLES: Record<string, MemberRole> = { member: "member", owner: "owner", moderator: "moderator" };
/** Mailman's delivery_mode values (mailman.interfaces.member.DeliveryMode). */
const MODES: Record<string, DeliveryMode> = {
  regular: "each",
  plaintext_digests: "digest_daily",
  mime_digests: "digest_daily",
  summary_digests: "digest_daily",
};

export function parseRosterJson(
  collection: unknown,
  fallbackRole: MemberRole,
): { members: MailmanMember[]; errors: string[] } {
  const entries = (collection as { entries?: unknown } | null)?.entries;
  const members: MailmanMember[] = [];
  const errors: string[] = [];
  if (collection !== null && typeof collection === "object" && entries === undefined) return { members, errors }; // empty roster
  if (!Array.isArray(entries)) return { members, errors: ["not a Mailman collection (no entries)"] };
  for (const [index, entry] of entries.entries()) {
    const e = entry as Record<string, unknown>;
    const address = typeof e.email === "string" ? parseAddress(e.email)?.address : undefined;
    if (!address) {
      errors.push(`entries.${index}: no valid email`);
      continue;
    }
    members.push({
      address,
      displayName: typeof e.display_name === "string" && e.display_name ? e.display_name : null,
      role: ROLES[String(e.role)] ?? fallbackRole,
      deliveryMode: MODES[String(e.delivery_mode)] ?? "each",
    });
  }
  return { members, errors };
}

export function parseMembersText(text: string): { members: MailmanMember[]; errors: string[] } {
  const members: MailmanMember[] = [];
  const errors: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const angle = /^(.*?)\s*<([^<>]+)>$/.exec(line);
    const address = parseAddress(angle ? (angle[2] ?? "") : line)?.address;
    if (!address) {
      errors.push(`line ${index + 1}: not an address`);
      continue;
    }
    const name = angle?.[1]?.replace(/^"|"$/g, "").trim();
    members.push({ address, displayName: name || null, role: "member", deliveryMode: "each" });
  }
  return { members, errors };
}

/** One member per address; the highest role wins (an owner listed in /roster/member too stays owner). */
export function mergeRosters(...rosters: MailmanMember[][]): MailmanMember[] {
  const rank: Record<MemberRole, number> = { member: 0, moderator: 1, owner: 2 };
  const byAddress = new Map<string, MailmanMember>();
  for (const member of rosters.flat()) {
    const key = member.address.toLowerCase();
    const seen = byAddress.get(key);
    if (!seen) byAddress.set(key, member);
    else if (rank[member.role] > rank[seen.role]) byAddress.set(key, { ...seen, role: member.role });
  }
  return [...byAddress.values()];
}
