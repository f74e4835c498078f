/** D1 queries for the `lists` table. Bound parameters only; columns snake_case (STYLE.md). */
import { lookupKey } from "../../mail/address";
import type { DmarcMode, List, ListPolicy, NonMemberAction, ReplyToPolicy } from "../types";

export interface ListRowDb {
  address: string;
  lookup: string;
  domain: string;
  local_part: string;
  name: string;
  description: string | null;
  policy: string;
  non_member_action: string;
  dmarc_mode: string;
  dmarc_always_domains: string;
  subject_prefix: string | null;
  reply_to: string;
  max_message_bytes: number;
  hold_days: number;
  bounce_threshold: number;
  bounce_quiet_days: number;
  archive_url: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

function parseDomains(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value)
      ? value.filter((v): v is string => typeof v === "string").map((d) => d.toLowerCase())
      : [];
  } catch {
    return [];
  }
}

export function rowToList(row: ListRowDb): List {
  return {
    address: row.address,
    lookup: row.lookup,
    domain: row.domain,
    localPart: row.local_part,
    name: row.name,
    description: row.description,
    policy: row.policy as ListPolicy,
    nonMemberAction: row.non_member_action as NonMemberAction,
    dmarcMode: row.dmarc_mode as DmarcMode,
    dmarcAlwaysDomains: parseDomains(row.dmarc_always_domains),
    subjectPrefix: row.subject_prefix,
    replyTo: row.reply_to as ReplyToPolicy,
    maxMessageBytes: row.max_message_bytes,
    holdDays: row.hold_days,
    bounceThreshold: row.bounce_threshold,
    bounceQuietDays: row.bounce_quiet_days,
    archiveUrl: row.archive_url,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findListByAddress(db: D1Database, address: string): Promise<List | null> {
  const row = await db.prepare("SELECT * FROM lists WHERE lookup = ?").bind(lookupKey(address)).first<ListRowDb>();
  return row ? rowToList(row) : null;
}

export interface NewList {
  address: string;
  name?: string;
  description?: string | null;
  policy?: ListPolicy;
  nonMemberAction?: NonMemberAction;
  dmarcMode?: DmarcMode;
  dmarcAlwaysDomains?: string[];
  subjectPrefix?: string | null;
  replyTo?: ReplyToPolicy;
  maxMessageBytes?: number;
  holdDays?: number;
  bounceThreshold?: number;
  bounceQuietDays?: number;
  archiveUrl?: string | null;
  enabled?: boolean;
}

/** Gmail rejects unaligned gmail.com mail even at p=none (issue 4), so auto mode rewrites it by default. */
export const DEFAULT_ALWAYS_DOMAINS = ["gmail.com", "googlemail.com"];

export function insertList(db: D1Database, list: NewList, now = Date.now()): D1PreparedStatement {
  const at = list.address.lastIndexOf("@");
  const local = list.address.slice(0, at);
  const domain = list.address.slice(at + 1).toLowerCase();
  return db
    .prepare(
      `INSERT INTO lists (address, lookup, domain, local_part, name, description, policy, non_member_action,
         dmarc_mode, dmarc_always_domains, subject_prefix, reply_to, max_message_bytes, hold_days,
         bounce_threshold, bounce_quiet_days, archive_url, enabled, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19)`,
    )
    .bind(
      `${local}@${domain}`,
      lookupKey(`${local}@${domain}`),
      domain,
      local,
      list.name ?? local,
      list.description ?? null,
      list.policy ?? "members",
      list.nonMemberAction ?? "hold",
      list.dmarcMode ?? "auto",
      JSON.stringify(list.dmarcAlwaysDomains ?? DEFAULT_ALWAYS_DOMAINS),
      list.subjectPrefix ?? null,
      list.replyTo ?? "author",
      list.maxMessageBytes ?? 5 * 1024 * 1024,
      list.holdDays ?? 14,
      list.bounceThreshold ?? 5,
      list.bounceQuietDays ?? 7,
      list.archiveUrl ?? null,
      list.enabled === false ? 0 : 1,
      now,
    );
}

const COLUMNS: Record<Exclude<keyof NewList, "address">, string> = {
  name: "name",
  description: "description",
  policy: "policy",
  nonMemberAction: "non_member_action",
  dmarcMode: "dmarc_mode",
  dmarcAlwaysDomains: "dmarc_always_domains",
  subjectPrefix: "subject_prefix",
  replyTo: "reply_to",
  maxMessageBytes: "max_message_bytes",
  holdDays: "hold_days",
  bounceThreshold: "bounce_threshold",
  bounceQuietDays: "bounce_quiet_days",
  archiveUrl: "archive_url",
  enabled: "enabled",
};

/** Updates the given settings; returns false when no such list. */
export async function updateList(
  db: D1Database,
  address: string,
  patch: Omit<NewList, "address">,
  now = Date.now(),
): Promise<boolean> {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const [key, column] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, string][]) {
    const value = patch[key];
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    values.push(
      key === "dmarcAlwaysDomains" ? JSON.stringify(value) : key === "enabled" ? (value ? 1 : 0) : (value as unknown),
    );
  }
  sets.push("updated_at = ?");
  values.push(now, lookupKey(address));
  const result = await db
    .prepare(`UPDATE lists SET ${sets.join(", ")} WHERE lookup = ?`)
    .bind(...values)
    .run();
  return result.meta.changes > 0;
}

export async function deleteList(db: D1Database, address: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM lists WHERE lookup = ?").bind(lookupKey(address)).run();
  return result.meta.changes > 0;
}

/** Lists in address order, `limit` per page; the cursor is the last lookup of the previous page. */
export async function listLists(
  db: D1Database,
  options: { limit: number; cursor?: string; domain?: string },
): Promise<{ items: List[]; nextCursor: string | null }> {
  const { results } = await db
    .prepare(
      `SELECT * FROM lists WHERE (?1 IS NULL OR lookup > ?1) AND (?2 IS NULL OR domain = ?2) ORDER BY lookup LIMIT ?3`,
    )
    .bind(options.cursor ?? null, options.domain ?? null, options.limit + 1)
    .all<ListRowDb>();
  const items = results.slice(0, options.limit).map(rowToList);
  return { items, nextCursor: results.length > options.limit ? (items.at(-1)?.lookup ?? null) : null };
}
