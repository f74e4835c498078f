import type { RouteHandler } from "@hono/zod-openapi";
import { type Delivery, type DeliveryStatus, listDeliveries } from "../../store/deliveries";
import { visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, encodeCursor } from "../pagination";
import { iso, isoRequired } from "../schemas";
import type { listDeliveriesRoute } from "./routes";

function deliveryBody(d: Delivery) {
  return {
    id: d.id,
    message: d.messageLogId,
    origin: d.origin,
    domain: d.domain,
    mail_from: d.mailFrom,
    rcpt: d.rcpt,
    status: d.status,
    attempts: d.attempts,
    relay: d.relay,
    last_reply: d.lastReply,
    next_attempt_at: iso(d.nextAttemptAt),
    dsn: d.dsn,
    created_at: isoRequired(d.createdAt),
    updated_at: isoRequired(d.updatedAt),
  };
}

interface DeliveryRow {
  id: string;
  message_log_id: string;
  origin: Delivery["origin"];
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

/**
 * listDeliveries (src/store/deliveries.ts) has no domain filter; a domain-scoped token needs one,
 * so this query adds it (same order and cursor: newest id first).
 */
async function listDomainDeliveries(
  db: D1Database,
  options: { domains: string[]; message?: string; status?: string; before?: string; limit: number },
): Promise<{ items: Delivery[]; cursor: string | null }> {
  const { results } = await db
    .prepare(
      `SELECT * FROM deliveries
       WHERE domain IN (SELECT value FROM json_each(?1))
         AND (?2 IS NULL OR message_log_id = ?2) AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR id < ?4)
       ORDER BY id DESC LIMIT ?5`,
    )
    .bind(
      JSON.stringify(options.domains),
      options.message ?? null,
      options.status ?? null,
      options.before ?? null,
      options.limit + 1,
    )
    .all<DeliveryRow>();
  const items = results.slice(0, options.limit).map((row) => ({
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
  }));
  return { items, cursor: results.length > options.limit ? (items.at(-1)?.id ?? null) : null };
}

export const listDeliveriesHandler: RouteHandler<typeof listDeliveriesRoute, ApiEnv> = async (c) => {
  const { limit, cursor, message, status } = c.req.valid("query");
  const before = decodeCursor(cursor);
  const only = visibleDomains(c.get("access"));
  const result = only
    ? await listDomainDeliveries(c.env.DB, { domains: only, message, status, before, limit })
    : await listDeliveries(c.env, { message, status: status as DeliveryStatus | undefined, limit, cursor: before });
  return c.json(
    { items: result.items.map(deliveryBody), next_cursor: result.cursor ? encodeCursor(result.cursor) : null },
    200,
  );
};
