/**
 * Retention of list_digests and digest_posts (migrations/0017, 0019): only what belongs to a
 * digest already queued (its fan-out pages sent) and queued before the cutoff. A digest still
 * `claimed` (a run stopped half-way) is never removed: a later run composes it again from these
 * rows. The newest digest of each list and mode stays, because the next digest's issue number is
 * one more than it.
 */

/**
 * Deletes up to `limit` posts claimed by digests queued before `cutoff`; returns the R2 copies no
 * remaining row names (the other digest mode may still wait for the same copy).
 */
export async function deleteExpiredDigestPosts(db: D1Database, cutoff: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `DELETE FROM digest_posts WHERE rowid IN (
         SELECT p.rowid FROM digest_posts p JOIN list_digests d ON d.id = p.digest_id
          WHERE d.state = 'queued' AND d.queued_at < ?1 LIMIT ?2)
       RETURNING r2_key`,
    )
    .bind(cutoff, limit)
    .all<{ r2_key: string }>();
  const keys = [...new Set(results.map((r) => r.r2_key))];
  if (keys.length === 0) return [];
  const { results: kept } = await db
    .prepare("SELECT DISTINCT r2_key FROM digest_posts WHERE r2_key IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(keys))
    .all<{ r2_key: string }>();
  const still = new Set(kept.map((r) => r.r2_key));
  return keys.filter((key) => !still.has(key));
}

/** Deletes up to `limit` digests queued before `cutoff` with no post row left, but each list and mode's newest. */
export async function deleteExpiredDigests(db: D1Database, cutoff: number, limit: number): Promise<number> {
  const result = await db
    .prepare(
      `DELETE FROM list_digests WHERE id IN (
         SELECT d.id FROM list_digests d
          WHERE d.state = 'queued' AND d.queued_at < ?1
            AND NOT EXISTS (SELECT 1 FROM digest_posts p WHERE p.digest_id = d.id)
            AND d.number < (SELECT max(n.number) FROM list_digests n WHERE n.list_address = d.list_address AND n.mode = d.mode)
          LIMIT ?2)`,
    )
    .bind(cutoff, limit)
    .run();
  return result.meta.changes;
}
