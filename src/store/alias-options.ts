/**
 * The alias options columns of `aliases` (migrations/0016): reverse aliases (NULL = the domain's
 * default), expiry, what a disabled or expired alias does, what a blocked contact gets, and the
 * per-alias counters. Kept apart from store/aliases.ts, which owns matching and destinations.
 */
import { lookupKey } from "../mail/address";
import { flag, updateStatement } from "./partial-update";

export type RefusalAction = "reject" | "discard";

export interface AliasOptions {
  address: string;
  /** null: the domain's default (domains.reverse_aliases_default). */
  reverseAliases: boolean | null;
  expiresAt: number | null;
  disabledAction: RefusalAction;
  /** The SMTP reply text of a disabled or expired alias; null = the default text. */
  disabledReply: string | null;
  blockedAction: RefusalAction;
  counters: { forwarded: number; blocked: number; replied: number };
}

interface OptionsRow {
  address: string;
  reverse_aliases: number | null;
  expires_at: number | null;
  disabled_action: RefusalAction;
  disabled_reply: string | null;
  blocked_action: RefusalAction;
  forwarded_count: number;
  blocked_count: number;
  replied_count: number;
}

const COLUMNS = `address, reverse_aliases, expires_at, disabled_action, disabled_reply, blocked_action,
  forwarded_count, blocked_count, replied_count`;

function rowToOptions(row: OptionsRow): AliasOptions {
  return {
    address: row.address,
    reverseAliases: row.reverse_aliases === null ? null : row.reverse_aliases === 1,
    expiresAt: row.expires_at,
    disabledAction: row.disabled_action,
    disabledReply: row.disabled_reply,
    blockedAction: row.blocked_action,
    counters: { forwarded: row.forwarded_count, blocked: row.blocked_count, replied: row.replied_count },
  };
}

export async function findAliasOptions(db: D1Database, address: string): Promise<AliasOptions | null> {
  const row = await db
    .prepare(`SELECT ${COLUMNS} FROM aliases WHERE lookup = ?1`)
    .bind(lookupKey(address))
    .first<OptionsRow>();
  return row ? rowToOptions(row) : null;
}

export interface AliasOptionChanges {
  reverseAliases?: boolean | null;
  expiresAt?: number | null;
  disabledAction?: RefusalAction;
  disabledReply?: string | null;
  blockedAction?: RefusalAction;
}

export async function updateAliasOptions(
  db: D1Database,
  address: string,
  changes: AliasOptionChanges,
  now = Date.now(),
): Promise<AliasOptions | null> {
  const reverse = changes.reverseAliases;
  const row = await updateStatement(
    db,
    "aliases",
    {
      // null is a value here (back to the domain default), so it is passed through as is.
      reverse_aliases: reverse === undefined ? undefined : reverse === null ? null : flag(reverse),
      expires_at: changes.expiresAt,
      disabled_action: changes.disabledAction,
      disabled_reply: changes.disabledReply,
      blocked_action: changes.blockedAction,
      updated_at: now,
    },
    { lookup: lookupKey(address) },
    { returning: true },
  ).first<OptionsRow>();
  return row ? rowToOptions(row) : null;
}

export type AliasCounter = "forwarded" | "blocked" | "replied";

const COUNTER_COLUMN: Record<AliasCounter, string> = {
  forwarded: "forwarded_count",
  blocked: "blocked_count",
  replied: "replied_count",
};

/** One more forwarded / blocked / replied message for the alias (by address, any case). */
export function countAliasEvent(db: D1Database, address: string, counter: AliasCounter): D1PreparedStatement {
  const column = COUNTER_COLUMN[counter];
  return db.prepare(`UPDATE aliases SET ${column} = ${column} + 1 WHERE lookup = ?1`).bind(lookupKey(address));
}

export async function findReverseAliasDefault(db: D1Database, domain: string): Promise<boolean | null> {
  const row = await db
    .prepare("SELECT reverse_aliases_default AS value FROM domains WHERE name = ?1")
    .bind(domain)
    .first<{ value: number }>();
  return row ? row.value === 1 : null;
}

/** Sets the domain's default; false when there is no such domain. */
export async function updateReverseAliasDefault(db: D1Database, domain: string, value: boolean): Promise<boolean> {
  const result = await db
    .prepare("UPDATE domains SET reverse_aliases_default = ?2 WHERE name = ?1")
    .bind(domain, value ? 1 : 0)
    .run();
  return (result.meta.changes ?? 0) > 0;
}
