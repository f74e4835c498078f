/**
 * `webhook_deliveries` (one per webhook and message; its id is the `webhook-id` header) and
 * `webhook_attempts` (one per POST), which the API shows.
 */

export type WebhookDeliveryStatus = "pending" | "delivered" | "failed" | "gone";

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  messageLogId: string;
  r2Key: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookAttempt {
  deliveryId: string;
  attempt: number;
  at: number;
  status: number | null;
  error: string | null;
  durationMs: number;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  message_log_id: string;
  r2_key: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: number | null;
  created_at: number;
  updated_at: number;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: number;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

function rowToDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    messageLogId: row.message_log_id,
    r2Key: row.r2_key,
    status: row.status,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function rowToAttempt(row: AttemptRow): WebhookAttempt {
  return {
    deliveryId: row.delivery_id,
    attempt: row.attempt,
    at: row.at,
    status: row.status,
    error: row.error,
    durationMs: row.duration_ms,
  };
}

export function insertWebhookDelivery(
  db: D1Database,
  delivery: { id: string; webhookId: string; messageLogId: string; r2Key: string },
  now = Date.now(),
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO webhook_deliveries (id, webhook_id, message_log_id, r2_key, status, attempts, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)`,
    )
    .bind(delivery.id, delivery.webhookId, delivery.messageLogId, delivery.r2Key, now);
}

export async function findWebhookDelivery(db: D1Database, id: string): Promise<WebhookDelivery | null> {
  const row = await db.prepare("SELECT * FROM webhook_deliveries WHERE id = ?1").bind(id).first<DeliveryRow>();
  return row ? rowToDelivery(row) : null;
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  at: number;
  status: number | null;
  error: string | null;
  durationMs: number;
  /** The delivery's status after this attempt. */
  outcome: WebhookDeliveryStatus;
  nextAttemptAt: number | null;
}

/** The attempt row and the delivery's new state, to be run in one batch. */
export function recordWebhookAttempt(db: D1Database, record: AttemptRecord): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT OR REPLACE INTO webhook_attempts (delivery_id, attempt, at, status, error, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
      )
      .bind(record.deliveryId, record.attempt, record.at, record.status, record.error, record.durationMs),
    db
      .prepare(
        `UPDATE webhook_deliveries SET status = ?2, attempts = ?3, last_status = ?4, last_error = ?5,
                next_attempt_at = ?6, updated_at = ?7 WHERE id = ?1`,
      )
      .bind(
        record.deliveryId,
        record.outcome,
        record.attempt,
        record.status,
        record.error,
        record.nextAttemptAt,
        record.at,
      ),
  ];
}

/** The newest deliveries of a webhook, each with its attempts (oldest first). */
export async function listWebhookDeliveries(
  db: D1Database,
  webhookId: string,
  limit: number,
): Promise<(WebhookDelivery & { attemptLog: WebhookAttempt[] })[]> {
  const { results } = await db
    .prepare("SELECT * FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2")
    .bind(webhookId, limit)
    .all<DeliveryRow>();
  if (results.length === 0) return [];
  const attempts = await db
    .prepare(
      `SELECT * FROM webhook_attempts WHERE delivery_id IN (SELECT value FROM json_each(?1))
       ORDER BY delivery_id, attempt`,
    )
    .bind(JSON.stringify(results.map((r) => r.id)))
    .all<AttemptRow>();
  const byDelivery = new Map<string, WebhookAttempt[]>();
  for (const row of attempts.results) {
    const list = byDelivery.get(row.delivery_id) ?? [];
    list.push(rowToAttempt(row));
    byDelivery.set(row.delivery_id, list);
  }
  return results.map((row) => ({ ...rowToDelivery(row), attemptLog: byDelivery.get(row.id) ?? [] }));
}

/** R2 keys of raw messages whose every webhook delivery is finished and older than `cutoff`. */
export async function listExpiredWebhookBodies(db: D1Database, cutoff: number, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT r2_key FROM webhook_deliveries GROUP BY r2_key
       HAVING SUM(status = 'pending') = 0 AND MAX(updated_at) < ?1 LIMIT ?2`,
    )
    .bind(cutoff, limit)
    .all<{ r2_key: string }>();
  return results.map((r) => r.r2_key);
}

/** Deletes the finished deliveries (and their attempts) of these raw messages. */
export async function deleteWebhookDeliveriesByBodies(db: D1Database, keys: string[]): Promise<number> {
  const result = await db
    .prepare(
      `DELETE FROM webhook_deliveries WHERE status != 'pending'
         AND r2_key IN (SELECT value FROM json_each(?1))`,
    )
    .bind(JSON.stringify(keys))
    .run();
  return result.meta.changes ?? 0;
}
