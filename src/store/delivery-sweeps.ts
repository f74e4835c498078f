/**
 * The scheduled sweeps' queries over `deliveries` (store/deliveries.ts holds the rows' life):
 * retention of finished rows and their bodies, rows that never reached the queue, stale waiting rows, and
 * list copies the relay refused outright, still to be scored as bounces.
 */
import { prepareDeleteAttemptsOfBodies } from "./delivery-attempts";

/**
 * Bodies (R2 keys) whose rows are all final and last touched before `cutoff`. A body is shared by
 * every recipient of a message, so one that a row not yet final (queued, deferred, relay-error) still uses is left out.
 */
export async function listExpiredDeliveryBodies(db: D1Database, cutoff: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT r2_key FROM deliveries WHERE updated_at < ?1 AND status IN ('sent', 'bounced', 'failed')
         AND r2_key NOT IN (SELECT r2_key FROM deliveries WHERE status NOT IN ('sent', 'bounced', 'failed')) LIMIT ?2`,
    )
    .bind(cutoff, limit)
    .all<{ r2_key: string }>();
  return results.map((r) => r.r2_key);
}

/** Deletes the rows of these bodies last touched before `cutoff`; returns the count. */
export async function deleteDeliveriesByBodies(db: D1Database, r2Keys: string[], cutoff: number): Promise<number> {
  const keys = JSON.stringify(r2Keys);
  const [, result] = await db.batch([
    prepareDeleteAttemptsOfBodies(db, keys, cutoff),
    db
      .prepare("DELETE FROM deliveries WHERE r2_key IN (SELECT value FROM json_each(?1)) AND updated_at < ?2")
      .bind(keys, cutoff),
  ]);
  return result?.meta.changes ?? 0;
}

export interface NeverEnqueuedDelivery {
  id: string;
  messageLogId: string;
  origin: string;
  r2Key: string;
  domain: string;
  mailFrom: string;
  rcpt: string;
  createdAt: number;
}

/** Up to `limit` rows still `queued` whose job never reached the queue, created before `createdBefore`. */
export async function listNeverEnqueuedDeliveries(
  db: D1Database,
  createdBefore: number,
  limit: number,
): Promise<NeverEnqueuedDelivery[]> {
  const { results } = await db
    .prepare(
      `SELECT id, message_log_id, origin, r2_key, domain, mail_from, rcpt, created_at FROM deliveries
       WHERE status = 'queued' AND enqueued_at IS NULL AND created_at < ?1 ORDER BY created_at LIMIT ?2`,
    )
    .bind(createdBefore, limit)
    .all<Record<string, string | number>>();
  return results.map((r) => ({
    id: String(r.id),
    messageLogId: String(r.message_log_id),
    origin: String(r.origin),
    r2Key: String(r.r2_key),
    domain: String(r.domain),
    mailFrom: String(r.mail_from),
    rcpt: String(r.rcpt),
    createdAt: Number(r.created_at),
  }));
}

/**
 * Closes up to `limit` rows waiting for a retry (deferred, relay-error) that was due before
 * `dueBefore` and created before `createdBefore`: their job is gone (retention, a purge). Failed
 * with `reply`; returns the count.
 */
export async function failStaleWaitingDeliveries(
  db: D1Database,
  bounds: { dueBefore: number; createdBefore: number },
  reply: string,
  limit: number,
  now: number = Date.now(),
): Promise<number> {
  const result = await db
    .prepare(
      `UPDATE deliveries SET status = 'failed', updated_at = ?1, next_attempt_at = NULL, last_reply = ?5
       WHERE id IN (SELECT id FROM deliveries WHERE status IN ('deferred', 'relay-error')
                    AND next_attempt_at < ?2 AND created_at < ?3 LIMIT ?4)`,
    )
    .bind(now, bounds.dueBefore, bounds.createdBefore, limit, reply)
    .run();
  return result.meta.changes ?? 0;
}

export interface UnscoredListRefusal {
  id: string;
  messageLogId: string;
  mailFrom: string;
  rcpt: string;
  lastReply: string | null;
}

/** Bounced list rows still carrying `dsn` (not yet scored), oldest first. */
export async function listBouncedListDeliveries(
  db: D1Database,
  dsn: string,
  limit: number,
): Promise<UnscoredListRefusal[]> {
  const { results } = await db
    .prepare(
      `SELECT id, message_log_id, mail_from, rcpt, last_reply FROM deliveries
        WHERE status = 'bounced' AND origin = 'list' AND dsn = ?1 ORDER BY id LIMIT ?2`,
    )
    .bind(dsn, limit)
    .all<{ id: string; message_log_id: string; mail_from: string; rcpt: string; last_reply: string | null }>();
  return results.map((r) => ({
    id: r.id,
    messageLogId: r.message_log_id,
    mailFrom: r.mail_from,
    rcpt: r.rcpt,
    lastReply: r.last_reply,
  }));
}
