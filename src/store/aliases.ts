/**
 * The `aliases` table. The derived matching columns (lookup, glob, literal length) are computed
 * here only; routing reads them through store/routing.ts.
 */
import { lookupKey } from "../mail/address";
import { readJsonList, writeJsonList } from "./json-column";
import { type Page, type PageRequest, pageOf } from "./pagination";
import { flag, updateStatement } from "./partial-update";
import { aliasGlob } from "./routing";

export interface Alias {
  address: string;
  lookup: string;
  domain: string;
  isPattern: boolean;
  /** null: the owner's mailboxes are the destinations. */
  destinations: string[] | null;
  owner: string | null;
  enabled: boolean;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

interface AliasRow {
  address: string;
  lookup: string;
  domain: string;
  is_pattern: number;
  destinations: string | null;
  owner: string | null;
  enabled: number;
  description: string | null;
  created_at: number;
  updated_at: number;
}

function rowToAlias(row: AliasRow): Alias {
  return {
    address: row.address,
    lookup: row.lookup,
    domain: row.domain,
    isPattern: row.is_pattern === 1,
    destinations: readJsonList(row.destinations),
    owner: row.owner,
    enabled: row.enabled === 1,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewAlias {
  /** Normalised local@domain; the local part may contain '*' for a wildcard pattern. */
  address: string;
  domain: string;
  /** null: the owner's mailboxes are the destinations (the PTT/Elit users database idea). */
  destinations: string[] | null;
  owner?: string | null;
  enabled?: boolean;
  description?: string | null;
}

export function aliasColumns(address: string) {
  const local = address.slice(0, address.lastIndexOf("@"));
  const lookup = lookupKey(address);
  const isPattern = local.includes("*");
  return {
    local,
    lookup,
    isPattern,
    glob: isPattern ? aliasGlob(lookup) : null,
    // "Longest literal match wins" among patterns: count what is not a wildcard.
    literalLength: local.replace(/\*/g, "").length,
  };
}

export function insertAlias(db: D1Database, alias: NewAlias, now = Date.now()): D1PreparedStatement {
  const c = aliasColumns(alias.address);
  return db
    .prepare(
      `INSERT INTO aliases (address, lookup, domain, local_part, is_pattern, glob, literal_length, destinations, owner,
                            enabled, description, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)`,
    )
    .bind(
      alias.address,
      c.lookup,
      alias.domain,
      c.local,
      c.isPattern ? 1 : 0,
      c.glob,
      c.literalLength,
      writeJsonList(alias.destinations),
      alias.owner ?? null,
      alias.enabled === false ? 0 : 1,
      alias.description ?? null,
      now,
    );
}

export async function findAliasByAddress(db: D1Database, address: string): Promise<Alias | null> {
  const row = await db.prepare("SELECT * FROM aliases WHERE lookup = ?1").bind(lookupKey(address)).first<AliasRow>();
  return row ? rowToAlias(row) : null;
}

export interface AliasFilter extends PageRequest {
  domain?: string;
  owner?: string;
  /** Only aliases of these domains (a domain-scoped token); null or absent: every domain. */
  domains?: string[] | null;
}

/** Aliases by lookup key; the page key is the lookup. */
export async function listAliases(db: D1Database, filter: AliasFilter): Promise<Page<Alias>> {
  const { results } = await db
    .prepare(
      `SELECT * FROM aliases
       WHERE (?1 IS NULL OR lookup > ?1)
         AND (?2 IS NULL OR domain = ?2)
         AND (?3 IS NULL OR owner = ?3)
         AND (?4 IS NULL OR domain IN (SELECT value FROM json_each(?4)))
       ORDER BY lookup LIMIT ?5`,
    )
    .bind(
      filter.after ?? null,
      filter.domain ?? null,
      filter.owner ?? null,
      filter.domains ? JSON.stringify(filter.domains) : null,
      filter.limit + 1,
    )
    .all<AliasRow>();
  return pageOf(results.map(rowToAlias), filter.limit, (alias) => alias.lookup);
}

/** Addresses of up to `limit` aliases that deliver to `owner`'s mailboxes (no destinations of their own). */
export async function listOwnerDeliveredAliases(db: D1Database, owner: string, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT address FROM aliases WHERE owner = ?1 AND destinations IS NULL ORDER BY lookup LIMIT ?2")
    .bind(owner, limit)
    .all<{ address: string }>();
  return results.map((r) => r.address);
}

export interface AliasChanges {
  destinations?: string[] | null;
  owner?: string | null;
  enabled?: boolean;
  description?: string | null;
}

/**
 * Changes only columns that do not affect matching (the address is fixed: delete and re-create).
 * Returns the row as changed, or null when there is no such alias.
 */
export async function updateAlias(
  db: D1Database,
  address: string,
  changes: AliasChanges,
  now = Date.now(),
): Promise<Alias | null> {
  const row = await updateStatement(
    db,
    "aliases",
    {
      destinations: changes.destinations === undefined ? undefined : writeJsonList(changes.destinations),
      owner: changes.owner,
      enabled: flag(changes.enabled),
      description: changes.description,
      updated_at: now,
    },
    { lookup: lookupKey(address) },
    { returning: true },
  ).first<AliasRow>();
  return row ? rowToAlias(row) : null;
}

export async function deleteAlias(db: D1Database, address: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM aliases WHERE lookup = ?1").bind(lookupKey(address)).run();
  return (result.meta.changes ?? 0) > 0;
}
