/** The `lists` table. The settings columns are declared once, in store/list-settings.ts. */
import { lookupKey, splitSubaddress } from "../mail/address";
import { LIST_SUFFIXES, listLocalPart } from "../mail/minted-address";
import { readJsonList } from "./json-column";
import {
  type DmarcMode,
  LIST_SETTING_DEFAULTS,
  type ListPolicy,
  type ListSettings,
  type ListSettingValues,
  type NonMemberAction,
  type ReplyToPolicy,
  settingColumns,
} from "./list-settings";
import { type Page, type PageRequest, pageOf } from "./pagination";
import { type ColumnValue, checkColumn, updateStatement } from "./partial-update";

/** A mailing list as the posting chain, the transform pipeline and the fan-out see it. */
export interface List extends ListSettingValues {
  address: string;
  lookup: string;
  domain: string;
  localPart: string;
  createdAt: number;
  updatedAt: number;
}

export type NewList = { address: string } & Partial<ListSettingValues>;

interface ListRow {
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
  digest_max_bytes: number;
  hold_days: number;
  bounce_threshold: number;
  bounce_quiet_days: number;
  archive_url: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** The one mapper from a row to a list: a new setting is read here. */
function rowToList(row: ListRow): List {
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
    dmarcAlwaysDomains: (readJsonList(row.dmarc_always_domains) ?? []).map((d) => d.toLowerCase()),
    subjectPrefix: row.subject_prefix,
    replyTo: row.reply_to as ReplyToPolicy,
    maxMessageBytes: row.max_message_bytes,
    digestMaxBytes: row.digest_max_bytes,
    holdDays: row.hold_days,
    bounceThreshold: row.bounce_threshold,
    bounceQuietDays: row.bounce_quiet_days,
    archiveUrl: row.archive_url,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A setting as stored: SQLite has no booleans or arrays. */
function settingColumnValue(value: ListSettings[keyof ListSettings] | undefined): ColumnValue | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (Array.isArray(value)) return JSON.stringify(value);
  return value;
}

function storedSettings(settings: Partial<ListSettings>): Record<string, ColumnValue | undefined> {
  const columns: Record<string, ColumnValue | undefined> = {};
  for (const [column, value] of Object.entries(settings)) {
    columns[checkColumn(column)] = settingColumnValue(value as ListSettings[keyof ListSettings]);
  }
  return columns;
}

export async function findListByAddress(db: D1Database, address: string): Promise<List | null> {
  const row = await db.prepare("SELECT * FROM lists WHERE lookup = ?").bind(lookupKey(address)).first<ListRow>();
  return row ? rowToList(row) : null;
}

/** Every setting not given takes its default (store/list-settings.ts); the name defaults to the local part. */
export function insertList(db: D1Database, list: NewList, now = Date.now()): D1PreparedStatement {
  const at = list.address.lastIndexOf("@");
  const local = list.address.slice(0, at);
  const domain = list.address.slice(at + 1).toLowerCase();
  const address = `${local}@${domain}`;
  const settings = storedSettings({ ...LIST_SETTING_DEFAULTS, name: local, ...settingColumns(list) });
  const names = Object.keys(settings);
  const marks = names.map((_, i) => `?${i + 5}`);
  const stamp = `?${names.length + 5}`;
  return db
    .prepare(
      `INSERT INTO lists (address, lookup, domain, local_part, ${names.join(", ")}, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ${marks.join(", ")}, ${stamp}, ${stamp})`,
    )
    .bind(address, lookupKey(address), domain, local, ...Object.values(settings), now);
}

/** Updates the given settings; returns false when no such list. */
export async function updateList(
  db: D1Database,
  address: string,
  patch: Partial<ListSettingValues>,
  now = Date.now(),
): Promise<boolean> {
  const result = await updateStatement(
    db,
    "lists",
    { ...storedSettings(settingColumns(patch)), updated_at: now },
    { lookup: lookupKey(address) },
  ).run();
  return result.meta.changes > 0;
}

export async function deleteList(db: D1Database, address: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM lists WHERE lookup = ?").bind(lookupKey(address)).run();
  return result.meta.changes > 0;
}

/** Lists by lookup key, optionally of one domain; the page key is the lookup. */
export async function listLists(db: D1Database, filter: PageRequest & { domain?: string }): Promise<Page<List>> {
  const { results } = await db
    .prepare(
      `SELECT * FROM lists WHERE (?1 IS NULL OR lookup > ?1) AND (?2 IS NULL OR domain = ?2) ORDER BY lookup LIMIT ?3`,
    )
    .bind(filter.after ?? null, filter.domain ?? null, filter.limit + 1)
    .all<ListRow>();
  return pageOf(results.map(rowToList), filter.limit, (list) => list.lookup);
}

/**
 * The list whose addresses include this one (team@, team-request@, team-bounces+x@ …), if any.
 * Routing recognises list addresses before aliases, so an alias there would never receive mail.
 */
export async function findListOwningAddress(db: D1Database, address: string): Promise<string | null> {
  const at = address.lastIndexOf("@");
  const domain = address.slice(at + 1);
  const { base } = splitSubaddress(address.slice(0, at));
  const candidates = [address, `${base}@${domain}`, `${listLocalPart(base)}@${domain}`].map(lookupKey);
  const row = await db
    .prepare("SELECT address FROM lists WHERE lookup IN (SELECT value FROM json_each(?1)) LIMIT 1")
    .bind(JSON.stringify(candidates))
    .first<{ address: string }>();
  return row?.address ?? null;
}

/**
 * The first alias or list already using one of the addresses a new list at `address` would own
 * (team@, team-request@, team-owner@, …), or null when they are all free.
 */
export async function findListAddressTaken(db: D1Database, address: string): Promise<string | null> {
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const taken = [local, ...LIST_SUFFIXES.map((s) => `${local}${s}`)].map((l) => `${l}@${domain}`.toLowerCase());
  const { results } = await db
    .prepare(
      "SELECT address FROM aliases WHERE lookup IN (SELECT value FROM json_each(?1)) UNION ALL SELECT address FROM lists WHERE lookup IN (SELECT value FROM json_each(?1))",
    )
    .bind(JSON.stringify(taken))
    .all<{ address: string }>();
  return results[0]?.address ?? null;
}
