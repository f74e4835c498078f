/** The `list_members` table: a list's members, their role, status and bounce score. */
import { createHash } from "node:crypto";
import { lookupKey } from "../mail/address";
import { type Page, type PageRequest, pageOf } from "./pagination";

export const MEMBER_ROLES = ["member", "moderator", "owner"] as const;
export const MEMBER_STATUSES = ["active", "disabled", "pending"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export interface Member {
  listAddress: string;
  address: string;
  lookup: string;
  /** Names the member in VERP bounce addresses (memberVerpKey). */
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

interface MemberRow {
  list_address: string;
  address: string;
  lookup: string;
  verp_key: string;
  display_name: string | null;
  role: string;
  status: string;
  receive_own: number;
  bounce_score: number;
  last_bounce_at: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

function rowToMember(row: MemberRow): Member {
  return {
    listAddress: row.list_address,
    address: row.address,
    lookup: row.lookup,
    verpKey: row.verp_key,
    displayName: row.display_name,
    role: row.role as MemberRole,
    status: row.status as MemberStatus,
    receiveOwn: row.receive_own === 1,
    bounceScore: row.bounce_score,
    lastBounceAt: row.last_bounce_at,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findMember(db: D1Database, listAddress: string, address: string): Promise<Member | null> {
  const row = await db
    .prepare("SELECT * FROM list_members WHERE list_address = ? AND lookup = ?")
    .bind(listAddress, lookupKey(address))
    .first<MemberRow>();
  return row ? rowToMember(row) : null;
}

/**
 * The member's key in VERP addresses (mail/minted-address.ts): a digest, so the bounce address neither
 * discloses the member's address nor overflows RFC 5321's 64-octet local part.
 */
export function memberVerpKey(listAddress: string, address: string): string {
  return createHash("sha256")
    .update(`${lookupKey(listAddress)}\n${lookupKey(address)}`)
    .digest("hex")
    .slice(0, 16);
}

export async function findMemberByVerpKey(db: D1Database, listAddress: string, key: string): Promise<Member | null> {
  const row = await db
    .prepare("SELECT * FROM list_members WHERE list_address = ? AND verp_key = ?")
    .bind(listAddress, key)
    .first<MemberRow>();
  return row ? rowToMember(row) : null;
}

const ROLE_RANK = (column: string) => `CASE ${column} WHEN 'owner' THEN 2 WHEN 'moderator' THEN 1 ELSE 0 END`;

export interface NewMember {
  address: string;
  displayName?: string | null;
  role?: MemberRole;
  status?: MemberStatus;
  receiveOwn?: boolean;
}

/**
 * Adds a member, or updates the one already on the list (an import run twice does not fail, and
 * re-subscribing a member disabled by bounces or an unsubscribe re-activates them, the bounce
 * score starting over). Three things an upsert never does:
 *   - lift an owner's ban (disabled_reason 'owner'): subscribe-and-confirm leaves it disabled;
 *   - demote: the role only goes up (member < moderator < owner); PATCH lowers it;
 *   - turn an active member pending (an import asking for confirmation of someone already in).
 */
export function upsertMember(
  db: D1Database,
  listAddress: string,
  member: NewMember,
  now = Date.now(),
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO list_members (list_address, address, lookup, verp_key, display_name, role, status, receive_own,
         bounce_score, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?9, ?4, ?5, ?6, ?7, 0, ?8, ?8)
       ON CONFLICT (list_address, lookup) DO UPDATE SET
         display_name = COALESCE(excluded.display_name, display_name),
         role = CASE WHEN ${ROLE_RANK("excluded.role")} > ${ROLE_RANK("role")} THEN excluded.role ELSE role END,
         status = CASE WHEN disabled_reason = 'owner' THEN status
                       WHEN status = 'active' AND excluded.status = 'pending' THEN status
                       ELSE excluded.status END,
         receive_own = excluded.receive_own,
         bounce_score = CASE WHEN disabled_reason = 'owner' THEN bounce_score ELSE 0 END,
         last_bounce_at = CASE WHEN disabled_reason = 'owner' THEN last_bounce_at ELSE NULL END,
         disabled_reason = CASE WHEN disabled_reason = 'owner' THEN disabled_reason ELSE NULL END,
         updated_at = excluded.updated_at`,
    )
    .bind(
      listAddress,
      member.address,
      lookupKey(member.address),
      member.displayName ?? null,
      member.role ?? "member",
      member.status ?? "active",
      member.receiveOwn ? 1 : 0,
      now,
      memberVerpKey(listAddress, member.address),
    );
}

export interface MemberPatch {
  displayName?: string | null;
  role?: MemberRole;
  status?: MemberStatus;
  receiveOwn?: boolean;
  disabledReason?: string | null;
  bounceScore?: number;
}

export async function updateMember(
  db: D1Database,
  listAddress: string,
  address: string,
  patch: MemberPatch,
  now = Date.now(),
): Promise<boolean> {
  const sets: string[] = [];
  const values: unknown[] = [];
  const add = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    values.push(value);
  };
  if (patch.displayName !== undefined) add("display_name", patch.displayName);
  if (patch.role !== undefined) add("role", patch.role);
  if (patch.status !== undefined) {
    add("status", patch.status);
    // An owner re-enabling a member clears the reason and the bounce history with it.
    if (patch.status === "active") {
      add("disabled_reason", null);
      add("bounce_score", 0);
    }
  }
  if (patch.receiveOwn !== undefined) add("receive_own", patch.receiveOwn ? 1 : 0);
  if (patch.disabledReason !== undefined) add("disabled_reason", patch.disabledReason);
  if (patch.bounceScore !== undefined) add("bounce_score", patch.bounceScore);
  add("updated_at", now);
  const result = await db
    .prepare(`UPDATE list_members SET ${sets.join(", ")} WHERE list_address = ? AND lookup = ?`)
    .bind(...values, listAddress, lookupKey(address))
    .run();
  return result.meta.changes > 0;
}

export async function deleteMember(db: D1Database, listAddress: string, address: string): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM list_members WHERE list_address = ? AND lookup = ?")
    .bind(listAddress, lookupKey(address))
    .run();
  return result.meta.changes > 0;
}

/**
 * A list's members by lookup key, optionally of one status, optionally whose address or display
 * name contains `q` (case-insensitive; % and _ are literal); the page key is the lookup.
 */
export async function listMembers(
  db: D1Database,
  listAddress: string,
  filter: PageRequest & { status?: MemberStatus; q?: string },
): Promise<Page<Member>> {
  const like = filter.q ? `%${filter.q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : null;
  const { results } = await db
    .prepare(
      `SELECT * FROM list_members WHERE list_address = ?1 AND (?2 IS NULL OR lookup > ?2) AND (?3 IS NULL OR status = ?3)
        AND (?5 IS NULL OR lookup LIKE ?5 ESCAPE '\\' OR lower(coalesce(display_name, '')) LIKE ?5 ESCAPE '\\')
        ORDER BY lookup LIMIT ?4`,
    )
    .bind(listAddress, filter.after ?? null, filter.status ?? null, filter.limit + 1, like)
    .all<MemberRow>();
  return pageOf(results.map(rowToMember), filter.limit, (member) => member.lookup);
}

/** Active owners and moderators: who gets moderation notices and team-owner@ mail. */
export async function findModerators(
  db: D1Database,
  listAddress: string,
  roles: MemberRole[] = ["owner", "moderator"],
) {
  const { results } = await db
    .prepare(
      `SELECT * FROM list_members WHERE list_address = ?1 AND status = 'active' AND role IN (SELECT value FROM json_each(?2))
        ORDER BY lookup`,
    )
    .bind(listAddress, JSON.stringify(roles))
    .all<MemberRow>();
  return results.map(rowToMember);
}

/**
 * The first lookup of every page of `pageSize` active members, in one query: the fan-out producer
 * turns them into one job per page, [start_i, start_{i+1}), so pages are processed in parallel
 * and no invocation reads more than one page.
 */
export async function findPageStarts(db: D1Database, listAddress: string, pageSize: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT lookup FROM (
         SELECT lookup, row_number() OVER (ORDER BY lookup) AS n FROM list_members
          WHERE list_address = ?1 AND status = 'active')
        WHERE (n - 1) % ?2 = 0 ORDER BY lookup`,
    )
    .bind(listAddress, pageSize)
    .all<{ lookup: string }>();
  return results.map((r) => r.lookup);
}

/**
 * One fan-out page: active members with lookup in [from, to) who get each post (not digest or
 * nomail members: store/delivery-modes.ts), minus suppressed addresses (hard bounces, complaints,
 * manual: the `suppressions` table), in lookup order.
 */
export async function findFanoutPage(
  db: D1Database,
  listAddress: string,
  from: string,
  to: string | null,
  limit: number,
): Promise<Pick<Member, "address" | "lookup" | "receiveOwn" | "verpKey">[]> {
  const { results } = await db
    .prepare(
      `SELECT m.address, m.lookup, m.receive_own, m.verp_key FROM list_members m
        WHERE m.list_address = ?1 AND m.status = 'active' AND m.lookup >= ?2 AND (?3 IS NULL OR m.lookup < ?3)
          AND m.delivery_mode = 'each'
          AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.address = m.lookup)
        ORDER BY m.lookup LIMIT ?4`,
    )
    .bind(listAddress, from, to, limit)
    .all<{ address: string; lookup: string; receive_own: number; verp_key: string }>();
  return results.map((r) => ({
    address: r.address,
    lookup: r.lookup,
    receiveOwn: r.receive_own === 1,
    verpKey: r.verp_key,
  }));
}

/** Records a counted bounce: new score, and disabled when the threshold is reached. */
export function recordMemberBounce(
  db: D1Database,
  listAddress: string,
  lookup: string,
  score: number,
  disable: boolean,
  now: number,
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE list_members SET bounce_score = ?1, last_bounce_at = ?2, updated_at = ?2,
         status = CASE WHEN ?3 = 1 THEN 'disabled' ELSE status END,
         disabled_reason = CASE WHEN ?3 = 1 THEN 'bounces' ELSE disabled_reason END
        WHERE list_address = ?4 AND lookup = ?5`,
    )
    .bind(score, now, disable ? 1 : 0, listAddress, lookup);
}

/** Every list one address belongs to, any status (a member's own subscriptions page). */
export async function findMembershipsOf(db: D1Database, address: string): Promise<Member[]> {
  const { results } = await db
    .prepare("SELECT * FROM list_members WHERE lookup = ?1 ORDER BY list_address LIMIT 500")
    .bind(lookupKey(address))
    .all<MemberRow>();
  return results.map(rowToMember);
}
