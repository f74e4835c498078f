/**
 * Reads of the `deliveries` table for idempotent bulk producers: which of a set of bodies already
 * have rows, so a redelivered queue job (Queues delivers at least once) does not send again.
 */

/** The subset of `r2Keys` that already have a delivery row for `messageLogId`. */
export async function findBodiesWithDeliveries(
  db: D1Database,
  messageLogId: string,
  r2Keys: string[],
): Promise<Set<string>> {
  if (r2Keys.length === 0) return new Set();
  // One JSON parameter, expanded by json_each(): D1 allows 100 bound parameters per query.
  const { results } = await db
    .prepare(
      "SELECT DISTINCT r2_key FROM deliveries WHERE message_log_id = ?1 AND r2_key IN (SELECT value FROM json_each(?2))",
    )
    .bind(messageLogId, JSON.stringify(r2Keys))
    .all<{ r2_key: string }>();
  return new Set(results.map((row) => row.r2_key));
}

/** The subset of `r2Keys` that some delivery row (of any message) still names. */
export async function findReferencedBodies(db: D1Database, r2Keys: string[]): Promise<Set<string>> {
  if (r2Keys.length === 0) return new Set();
  const { results } = await db
    .prepare("SELECT DISTINCT r2_key FROM deliveries WHERE r2_key IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(r2Keys))
    .all<{ r2_key: string }>();
  return new Set(results.map((row) => row.r2_key));
}

/**
 * True when Facteur sent a copy of a post to `listAddress` whose Message-ID is `messageId` to
 * `rcpt` (a delivery row of that post for that member): the returned headers of a bounce then
 * describe a real copy (lists/bounce-returned-copy.ts).
 */
export async function findListCopySent(
  db: D1Database,
  copy: { listAddress: string; messageId: string; rcpt: string },
): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT 1 AS found FROM messages m JOIN deliveries d ON d.message_log_id = m.id
        WHERE m.rcpt_to = ?1 AND m.message_id = ?2 AND d.origin = 'list' AND lower(d.rcpt) = lower(?3) LIMIT 1`,
    )
    .bind(copy.listAddress, copy.messageId, copy.rcpt)
    .first<{ found: number }>();
  return row !== null;
}
