/**
 * Per-recipient delivery state in D1 (migrations/0002_create_delivery_schema.sql).
 *
 * D1 allows 100 bound parameters per query, and a list fan-out inserts thousands of rows. Rows are
 * therefore passed as ONE JSON parameter and expanded with SQLite's json_each(): one statement
 * writes up to ROWS_PER_STATEMENT rows whatever their width, and the query count stays low (Workers
 * count D1 queries per invocation).
 */

import type { DeliveryStatus } from "../core/delivery-status";
import { newId } from "../core/ids";
import type { DeliveryOrigin } from "../core/jobs";
import { enhancedCodeOf, prepareInsertAttempts } from "./delivery-attempts";
import { type Page, type PageRequest, pageOf } from "./pagination";

export interface Delivery {
  id: string;
  messageLogId: string;
  origin: DeliveryOrigin;
  r2Key: string;
  domain: string;
  mailFrom: string;
  rcpt: string;
  status: DeliveryStatus;
  attempts: number;
  relay: string | null;
  lastReply: string | null;
  nextAttemptAt: number | null;
  dsn: string | null;
  createdAt: number;
  updatedAt: number;
}

interface DeliveryRow {
  id: string;
  message_log_id: string;
  origin: DeliveryOrigin;
  r2_key: string;
  domain: string;
  mail_from: string;
  rcpt: string;
  status: DeliveryStatus;
  attempts: number;
  relay: string | null;
  last_reply: string | null;
  next_attempt_at: number | null;
  dsn: string | null;
  created_at: number;
  updated_at: number;
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    messageLogId: row.message_log_id,
    origin: row.origin,
    r2Key: row.r2_key,
    domain: row.domain,
    mailFrom: row.mail_from,
    rcpt: row.rcpt,
    status: row.status,
    attempts: row.attempts,
    relay: row.relay,
    lastReply: row.last_reply,
    nextAttemptAt: row.next_attempt_at,
    dsn: row.dsn,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Rows per INSERT: a D1 statement is limited to 100 KB of SQL but its bound values may be larger;
 * 500 rows of ~200 bytes of JSON stays far below D1's 2 MB value limit.
 */
export const ROWS_PER_STATEMENT = 500;

export interface NewDelivery {
  rcpt: string;
  mailFrom: string;
}

export interface DeliveryBody {
  messageLogId: string;
  origin: DeliveryOrigin;
  r2Key: string;
  domain: string;
}

export interface InsertedDelivery {
  id: string;
  rcpt: string;
  status: DeliveryStatus;
}

/**
 * Inserts one `queued` row per recipient of a stored body. A recipient that already has a row for
 * this body (a retried email(), a re-run fan-out chunk) keeps its row and status: the existing id
 * comes back instead of a new one. Returns rows in input order.
 */
export async function insertDeliveries(
  db: D1Database,
  body: DeliveryBody,
  recipients: NewDelivery[],
  now: number = Date.now(),
): Promise<InsertedDelivery[]> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < recipients.length; i += ROWS_PER_STATEMENT) {
    const chunk = recipients.slice(i, i + ROWS_PER_STATEMENT).map((r) => ({
      id: newId(now),
      rcpt: r.rcpt,
      mail_from: r.mailFrom,
    }));
    statements.push(
      db
        .prepare(
          `INSERT INTO deliveries (id, message_log_id, origin, r2_key, domain, mail_from, rcpt, status, attempts, created_at, updated_at)
           SELECT json_extract(value, '$.id'), ?1, ?2, ?3, ?4, json_extract(value, '$.mail_from'),
                  json_extract(value, '$.rcpt'), 'queued', 0, ?5, ?5
           FROM json_each(?6) WHERE true
           ON CONFLICT (r2_key, rcpt) DO UPDATE SET updated_at = excluded.updated_at
           RETURNING id, rcpt, status`,
        )
        .bind(body.messageLogId, body.origin, body.r2Key, body.domain, now, JSON.stringify(chunk)),
    );
  }
  if (statements.length === 0) return [];
  const results = await db.batch<InsertedDelivery>(statements);
  const byRcpt = new Map<string, InsertedDelivery>();
  for (const result of results) for (const row of result.results) byRcpt.set(row.rcpt, row);
  return recipients.map((r) => {
    const row = byRcpt.get(r.rcpt);
    if (!row) throw new Error(`insertDeliveries: no row returned for ${r.rcpt}`);
    return row;
  });
}

/** Rows by id (a job's recipients), in no particular order. */
export async function findDeliveriesByIds(db: D1Database, ids: string[]): Promise<Delivery[]> {
  if (ids.length === 0) return [];
  const { results } = await db
    .prepare("SELECT * FROM deliveries WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(ids))
    .all<DeliveryRow>();
  return results.map(toDelivery);
}

export interface AttemptRecord {
  id: string;
  status: DeliveryStatus;
  reply: string;
  relay: string | null;
  nextAttemptAt: number | null;
  /** DSN note for a permanent failure ('queued:<key>' or 'suppressed:<reason>'); unchanged when absent. */
  dsn?: string | null;
  /** The relay's id of the sent copy (send_email's messageId), which Email Sending's events name. */
  providerMessageId?: string;
}

/**
 * Records the outcome of one attempt for many recipients in one batch: the history rows
 * (store/delivery-attempts.ts), then one UPDATE ... FROM json_each. A row already final is left
 * alone, so a late duplicate cannot undo "sent".
 */
export async function recordAttempts(
  db: D1Database,
  records: AttemptRecord[],
  now: number = Date.now(),
): Promise<void> {
  if (records.length === 0) return;
  const payload = records.map((r) => ({
    id: r.id,
    status: r.status,
    reply: r.reply,
    relay: r.relay,
    next: r.nextAttemptAt,
    dsn: r.dsn ?? null,
    provider: r.providerMessageId ?? null,
    enhanced: enhancedCodeOf(r.reply),
  }));
  const json = JSON.stringify(payload);
  const update = db
    .prepare(
      `UPDATE deliveries SET
         status = json_extract(u.value, '$.status'),
         last_reply = json_extract(u.value, '$.reply'),
         relay = json_extract(u.value, '$.relay'),
         next_attempt_at = json_extract(u.value, '$.next'),
         dsn = coalesce(json_extract(u.value, '$.dsn'), dsn),
         provider_message_id = coalesce(json_extract(u.value, '$.provider'), provider_message_id),
         attempts = attempts + 1,
         updated_at = ?2
       FROM json_each(?1) AS u
       WHERE deliveries.id = json_extract(u.value, '$.id')
         AND deliveries.status NOT IN ('sent', 'bounced', 'failed')`,
    )
    .bind(json, now);
  await db.batch([prepareInsertAttempts(db, json, now), update]);
}

/** The rows' job reached the delivery queue (sendBatch succeeded): the orphan sweep leaves them be. */
export async function markDeliveriesEnqueued(db: D1Database, ids: string[], now: number = Date.now()): Promise<void> {
  if (ids.length === 0) return;
  await db
    .prepare("UPDATE deliveries SET enqueued_at = ?1 WHERE id IN (SELECT value FROM json_each(?2))")
    .bind(now, JSON.stringify(ids))
    .run();
}

/** Notes what happened about a DSN for these rows: 'queued:<key>' or 'suppressed:<reason>'. */
export async function markDsn(db: D1Database, ids: string[], dsn: string, now: number = Date.now()): Promise<void> {
  if (ids.length === 0) return;
  await db
    .prepare("UPDATE deliveries SET dsn = ?1, updated_at = ?2 WHERE id IN (SELECT value FROM json_each(?3))")
    .bind(dsn, now, JSON.stringify(ids))
    .run();
}

/**
 * Marks rows failed without an attempt (dead-letter queue): the reply says why. Final rows stay
 * as they are. Returns the rows that changed.
 */
export async function failDeliveries(
  db: D1Database,
  ids: string[],
  reply: string,
  now: number = Date.now(),
): Promise<Delivery[]> {
  if (ids.length === 0) return [];
  const { results } = await db
    .prepare(
      `UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, updated_at = ?2,
         last_reply = ?1 || coalesce(' (last reply: ' || last_reply || ')', '')
       WHERE id IN (SELECT value FROM json_each(?3)) AND status NOT IN ('sent', 'bounced', 'failed')
       RETURNING *`,
    )
    .bind(reply, now, JSON.stringify(ids))
    .all<DeliveryRow>();
  return results.map(toDelivery);
}

/** Rows per page at most, whatever the caller asks. */
const MAX_LIST_LIMIT = 200;

export interface ListDeliveriesOptions extends PageRequest {
  /** messages.id: every delivery of one inbound message. */
  message?: string;
  status?: DeliveryStatus;
  /** Only deliveries sent for these domains of ours (a domain-scoped API token). */
  domains?: string[];
}

/**
 * Newest first. Ids sort by creation (core/ids.ts, monotonic within an isolate), so the page key
 * is the id and `after` continues below it.
 */
export async function listDeliveries(env: Pick<Env, "DB">, options: ListDeliveriesOptions): Promise<Page<Delivery>> {
  const limit = Math.max(1, Math.min(MAX_LIST_LIMIT, Math.floor(options.limit) || 50));
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.message) {
    params.push(options.message);
    where.push(`message_log_id = ?${params.length}`);
  }
  if (options.status) {
    params.push(options.status);
    where.push(`status = ?${params.length}`);
  }
  if (options.domains) {
    params.push(JSON.stringify(options.domains));
    where.push(`domain IN (SELECT value FROM json_each(?${params.length}))`);
  }
  if (options.after) {
    params.push(options.after);
    where.push(`id < ?${params.length}`);
  }
  params.push(limit + 1);
  const sql = `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?${params.length}`;
  const { results } = await env.DB.prepare(sql)
    .bind(...params)
    .all<DeliveryRow>();
  return pageOf(results.map(toDelivery), limit, (delivery) => delivery.id);
}
