/**
 * Email Sending's lifecycle events, as Cloudflare publishes them on a Queue through an event
 * subscription (source `email.sending`): Cloudflare docs, "Email Service → Platform → Event
 * subscriptions" (developers.cloudflare.com/email-service/platform/event-subscriptions/; the
 * example payloads are in cloudflare-docs src/content/partials/queues/event-subscriptions/
 * email-sending-events.mdx). Every event is
 *
 *   { type: "cf.email.sending.message.<kind>",
 *     source: { type: "email.sending", zoneId, domain },
 *     payload: { eventId, messageId, sender, recipient, subject?, terminal,
 *                delivery: { status, smtpStatusCode?, smtpEnhancedStatusCode?, smtpResponse? },
 *                bounce?: { type: "hard" | "soft", classification, reason },
 *                failure?: { reason }, rejection?: { reason, party, detail }, complaint?: { type } },
 *     metadata: { accountId, eventSubscriptionId, eventSchemaVersion: 1, eventTimestamp } }
 *
 * with kind one of delivered, deferred, bounced, failed, rejected, complained. `messageId` is the
 * id send_email returned for the copy. Schema versions other than the ones read here are refused as
 * an unknown version (retried late, then kept in the dead-letter queue); anything else that does
 * not read as an event is malformed.
 */
import { InvalidJobError, UnknownJobVersionError } from "../core/jobs";

export const SENDING_EVENT_KINDS = ["delivered", "deferred", "bounced", "failed", "rejected", "complained"] as const;
export type SendingEventKind = (typeof SENDING_EVENT_KINDS)[number];

/** The versions of `metadata.eventSchemaVersion` this code reads. */
export const SENDING_EVENT_SCHEMA_VERSIONS: readonly number[] = [1];

export interface SendingEvent {
  kind: SendingEventKind;
  eventId: string;
  messageId: string;
  recipient: string;
  /** metadata.eventTimestamp, ms epoch. */
  at: number;
  smtpResponse: string | null;
  enhancedStatus: string | null;
  bounce: { type: "hard" | "soft"; reason: string | null } | null;
  /** failure.reason, rejection "reason: detail", or complaint.type: the words of the outcome. */
  detail: string | null;
  /** The queue's job key for logs (runners/batch-runner.ts): the message this event is about. */
  messageLogId: string;
}

const PREFIX = "cf.email.sending.message.";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);

function required(record: Record<string, unknown>, field: string, where: string): string {
  const value = text(record[field]);
  if (!value) throw new InvalidJobError(`Email Sending event: ${where}.${field} is missing`);
  return value;
}

/** Reads one queue message body as an Email Sending event; throws when it is not one. */
export function parseSendingEvent(body: unknown): SendingEvent {
  if (!isObject(body) || !isObject(body.payload) || !isObject(body.metadata))
    throw new InvalidJobError("Email Sending event: not an object with payload and metadata");
  const version = body.metadata.eventSchemaVersion;
  if (typeof version !== "number" || !SENDING_EVENT_SCHEMA_VERSIONS.includes(version))
    throw new UnknownJobVersionError(`Email Sending event schema version ${String(version)}`);
  const type = text(body.type) ?? "";
  const kind = type.slice(PREFIX.length) as SendingEventKind;
  if (!type.startsWith(PREFIX) || !SENDING_EVENT_KINDS.includes(kind))
    throw new InvalidJobError(`Email Sending event: unknown type ${JSON.stringify(body.type)}`);
  const payload = body.payload;
  const at = Date.parse(required(body.metadata, "eventTimestamp", "metadata"));
  if (Number.isNaN(at)) throw new InvalidJobError("Email Sending event: metadata.eventTimestamp is not a date");
  const delivery = isObject(payload.delivery) ? payload.delivery : {};
  const bounce = isObject(payload.bounce) ? payload.bounce : null;
  const rejection = isObject(payload.rejection) ? payload.rejection : null;
  const detail =
    text(isObject(payload.failure) ? payload.failure.reason : null) ??
    (rejection ? [text(rejection.reason), text(rejection.detail)].filter(Boolean).join(": ") || null : null) ??
    text(isObject(payload.complaint) ? payload.complaint.type : null);
  const messageId = required(payload, "messageId", "payload");
  return {
    kind,
    eventId: required(payload, "eventId", "payload"),
    messageId,
    recipient: required(payload, "recipient", "payload"),
    at,
    smtpResponse: text(delivery.smtpResponse),
    enhancedStatus: text(delivery.smtpEnhancedStatusCode),
    bounce: bounce ? { type: bounce.type === "hard" ? "hard" : "soft", reason: text(bounce.reason) } : null,
    detail,
    messageLogId: messageId,
  };
}
