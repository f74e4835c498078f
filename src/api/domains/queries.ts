/** D1 queries behind the domain routes (writes of new rows go through src/store/domains.ts). */

export interface DomainRow {
  name: string;
  enabled: number;
  catch_all: string | null;
  relay_url: string | null;
  created_at: number;
  updated_at: number;
}

export async function findDomain(db: D1Database, name: string): Promise<DomainRow | null> {
  return db.prepare("SELECT * FROM domains WHERE name = ?1").bind(name).first<DomainRow>();
}

export async function listDomainRows(
  db: D1Database,
  options: { after?: string; only: string[] | null; limit: number },
): Promise<DomainRow[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM domains
       WHERE (?1 IS NULL OR name > ?1)
         AND (?2 IS NULL OR name IN (SELECT value FROM json_each(?2)))
       ORDER BY name LIMIT ?3`,
    )
    .bind(options.after ?? null, options.only ? JSON.stringify(options.only) : null, options.limit)
    .all<DomainRow>();
  return results;
}

export interface DomainChanges {
  enabled?: boolean;
  catchAll?: string[] | null;
  relayUrl?: string | null;
}

export async function updateDomainRow(
  db: D1Database,
  name: string,
  changes: DomainChanges,
  now = Date.now(),
): Promise<DomainRow | null> {
  // Each column changes only when its flag says the field was given (null is a real value here).
  return db
    .prepare(
      `UPDATE domains SET
         enabled = CASE WHEN ?2 THEN ?3 ELSE enabled END,
         catch_all = CASE WHEN ?4 THEN ?5 ELSE catch_all END,
         relay_url = CASE WHEN ?6 THEN ?7 ELSE relay_url END,
         updated_at = ?8
       WHERE name = ?1 RETURNING *`,
    )
    .bind(
      name,
      changes.enabled !== undefined ? 1 : 0,
      changes.enabled ? 1 : 0,
      changes.catchAll !== undefined ? 1 : 0,
      changes.catchAll ? JSON.stringify(changes.catchAll) : null,
      changes.relayUrl !== undefined ? 1 : 0,
      changes.relayUrl ?? null,
      now,
    )
    .first<DomainRow>();
}

export async function deleteDomainRow(db: D1Database, name: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM domains WHERE name = ?1").bind(name).run();
  return (result.meta.changes ?? 0) > 0;
}
