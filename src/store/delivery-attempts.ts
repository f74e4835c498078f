/**
 * The history of delivery attempts (migrations/0020_create_delivery_attempts.sql): one row per
 * attempt per recipient, where `deliveries` keeps only the latest reply. The INSERT is prepared here
 * and batched by store/deliveries.ts recordAttempts with its UPDATE, so recording stays one round trip.
 */

export interface DeliveryAttemptRow {
  deliveryId: string;
  attempt: number;
  at: number;
  status: string;
  reply: string | null;
  enhancedCode: string | null;
  relay: string | null;
}

/** RFC 3463 section 2: class.subject.detail after the basic code, e.g. "451 4.7.1 ..." gives 4.7.1. */
export function enhancedCodeOf(reply: string): string | null {
  return /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1] ?? null;
}

/**
 * One history row per record of `payload` (the JSON array recordAttempts binds as ?1, each with
 * id, status, reply, relay, enhanced), numbered after the row's attempts so far. Rows already final
 * get no history row, like the UPDATE that leaves them alone; it must therefore run BEFORE that
 * UPDATE in the same batch. A duplicate (same attempt number) is ignored.
 */
export function prepareInsertAttempts(db: D1Database, payload: string, now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO delivery_attempts (delivery_id, attempt, at, status, reply, enhanced_code, relay)
       SELECT d.id, d.attempts + 1, ?2, json_extract(u.value, '$.status'), json_extract(u.value, '$.reply'),
              json_extract(u.value, '$.enhanced'), json_extract(u.value, '$.relay')
       FROM json_each(?1) AS u JOIN deliveries AS d ON d.id = json_extract(u.value, '$.id')
       WHERE d.status NOT IN ('sent', 'bounced', 'failed')
       ON CONFLICT (delivery_id, attempt) DO NOTHING`,
    )
    .bind(payload, now);
}

/** Deletes the history of the delivery rows the retention sweep is about to delete (same arguments). */
export function prepareDeleteAttemptsOfBodies(db: D1Database, r2Keys: string, cutoff: number): D1PreparedStatement {
  return db
    .prepare(
      `DELETE FROM delivery_attempts WHERE delivery_id IN
         (SELECT id FROM deliveries WHERE r2_key IN (SELECT value FROM json_each(?1)) AND updated_at < ?2)`,
    )
    .bind(r2Keys, cutoff);
}

/**
 * Every attempt of every delivery of one logged message, oldest first, limited to deliveries sent for
 * `domains` when given (a domain-scoped principal).
 */
export async function listAttemptsOfMessage(
  db: D1Database,
  messageLogId: string,
  domains?: string[],
): Promise<DeliveryAttemptRow[]> {
  const { results } = await db
    .prepare(
      `SELECT a.* FROM delivery_attempts AS a JOIN deliveries AS d ON d.id = a.delivery_id
       WHERE d.message_log_id = ?1 AND (?2 IS NULL OR d.domain IN (SELECT value FROM json_each(?2)))
       ORDER BY a.delivery_id, a.attempt LIMIT 1000`,
    )
    .bind(messageLogId, domains ? JSON.stringify(domains) : null)
    .all<Record<string, string | number | null>>();
  return results.map((r) => ({
    deliveryId: String(r.delivery_id),
    attempt: Number(r.attempt),
    at: Number(r.at),
    status: String(r.status),
    reply: r.reply === null ? null : String(r.reply),
    enhancedCode: r.enhanced_code === null ? null : String(r.enhanced_code),
    relay: r.relay === null ? null : String(r.relay),
  }));
}
