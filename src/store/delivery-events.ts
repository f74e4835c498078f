/**
 * Delivery rows as Email Sending's lifecycle events see them (migrations/0015): found by the id
 * send_email returned for the copy, updated by the newest event only.
 */
import type { DeliveryStatus } from "../core/delivery-status";
import type { DeliveryOrigin } from "../core/jobs";

export interface EventDelivery {
  id: string;
  messageLogId: string;
  origin: DeliveryOrigin;
  mailFrom: string;
  rcpt: string;
  status: DeliveryStatus;
  providerStatus: string | null;
  providerEventAt: number | null;
}

interface EventDeliveryRow {
  id: string;
  message_log_id: string;
  origin: DeliveryOrigin;
  mail_from: string;
  rcpt: string;
  status: DeliveryStatus;
  provider_status: string | null;
  provider_event_at: number | null;
}

/** The row of the copy `providerMessageId` sent to `rcpt`, or null when Facteur sent no such copy. */
export async function findEventDelivery(
  db: D1Database,
  providerMessageId: string,
  rcpt: string,
): Promise<EventDelivery | null> {
  const row = await db
    .prepare(
      `SELECT id, message_log_id, origin, mail_from, rcpt, status, provider_status, provider_event_at
       FROM deliveries WHERE provider_message_id = ?1 AND lower(rcpt) = lower(?2) LIMIT 1`,
    )
    .bind(providerMessageId, rcpt)
    .first<EventDeliveryRow>();
  if (!row) return null;
  return {
    id: row.id,
    messageLogId: row.message_log_id,
    origin: row.origin,
    mailFrom: row.mail_from,
    rcpt: row.rcpt,
    status: row.status,
    providerStatus: row.provider_status,
    providerEventAt: row.provider_event_at,
  };
}

export interface DeliveryEventUpdate {
  /** The row's new status, or null to keep it (a deferral or complaint after "sent"). */
  status: DeliveryStatus | null;
  reply: string;
  providerStatus: string;
  eventAt: number;
}

/**
 * Applies an event to its row unless a newer (or the same) event was applied already: events may
 * arrive out of order and more than once. Returns whether the row changed.
 */
export async function recordDeliveryEvent(
  db: D1Database,
  id: string,
  update: DeliveryEventUpdate,
  now: number = Date.now(),
): Promise<boolean> {
  const row = await db
    .prepare(
      `UPDATE deliveries SET status = coalesce(?2, status), last_reply = ?3, provider_status = ?4,
         provider_event_at = ?5, updated_at = ?6,
         next_attempt_at = CASE WHEN ?2 IS NULL THEN next_attempt_at ELSE NULL END
       WHERE id = ?1 AND (provider_event_at IS NULL OR provider_event_at < ?5)
       RETURNING id`,
    )
    .bind(id, update.status, update.reply, update.providerStatus, update.eventAt, now)
    .first<{ id: string }>();
  return row !== null;
}
