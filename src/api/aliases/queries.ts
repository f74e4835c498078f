/** D1 queries behind the alias routes. New aliases are written by src/store/aliases.ts (derived columns). */
import { lookupKey, splitSubaddress } from "../../mail/address";
import { listLocalPart } from "../../store/routing";

export interface AliasRow {
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

export async function findAlias(db: D1Database, address: string): Promise<AliasRow | null> {
  return db.prepare("SELECT * FROM aliases WHERE lookup = ?1").bind(lookupKey(address)).first<AliasRow>();
}

export async function listAliasRows(
  db: D1Database,
  options: { after?: string; domain?: string; owner?: string; only: string[] | null; limit: number },
): Promise<AliasRow[]> {
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
      options.after ?? null,
      options.domain ?? null,
      options.owner ?? null,
      options.only ? JSON.stringify(options.only) : null,
      options.limit,
    )
    .all<AliasRow>();
  return results;
}

export interface AliasChanges {
  destinations?: string[] | null;
  owner?: string | null;
  enabled?: boolean;
  description?: string | null;
}

/** Changes only columns that do not affect matching (the address is fixed: delete and re-create). */
export async function updateAliasRow(
  db: D1Database,
  address: string,
  changes: AliasChanges,
  now = Date.now(),
): Promise<AliasRow | null> {
  return db
    .prepare(
      `UPDATE aliases SET
         destinations = CASE WHEN ?2 THEN ?3 ELSE destinations END,
         owner = CASE WHEN ?4 THEN ?5 ELSE owner END,
         enabled = CASE WHEN ?6 THEN ?7 ELSE enabled END,
         description = CASE WHEN ?8 THEN ?9 ELSE description END,
         updated_at = ?10
       WHERE lookup = ?1 RETURNING *`,
    )
    .bind(
      lookupKey(address),
      changes.destinations !== undefined ? 1 : 0,
      changes.destinations ? JSON.stringify(changes.destinations) : null,
      changes.owner !== undefined ? 1 : 0,
      changes.owner ?? null,
      changes.enabled !== undefined ? 1 : 0,
      changes.enabled ? 1 : 0,
      changes.description !== undefined ? 1 : 0,
      changes.description ?? null,
      now,
    )
    .first<AliasRow>();
}

export async function deleteAliasRow(db: D1Database, address: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM aliases WHERE lookup = ?1").bind(lookupKey(address)).run();
  return (result.meta.changes ?? 0) > 0;
}

export async function userExists(db: D1Database, name: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS found FROM users WHERE name = ?1").bind(name).first()) !== null;
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
