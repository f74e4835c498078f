import { TRACE_HEADER_PREFIX } from "../../core/trace-headers";
import { removeFields } from "../../mail/message-parts";
import type { ReverseHandler } from "./types";

/**
 * What would reveal the owner of the alias in their reply: trace fields written by their own
 * provider (Received, RFC 5321 section 4.4; Return-Path; Authentication-Results, RFC 8601; SPF's
 * Received-SPF), their provider's DKIM-Signature and ARC sets (d= and the signed fields name
 * them), the client (User-Agent, X-Mailer) and the client's address (X-Originating-IP), Sender
 * and any field naming one of the owner's mailboxes (Cc to themselves, Disposition-Notification-To…).
 * In-Reply-To and References are message ids, kept for threading (RFC 5322 section 3.6.4).
 */
const DROPPED = new Set([
  "received",
  "return-path",
  "authentication-results",
  "received-spf",
  "dkim-signature",
  "x-originating-ip",
  "user-agent",
  "x-mailer",
  "sender",
  "message-id",
]);
const TRACE_PREFIX = TRACE_HEADER_PREFIX.toLowerCase();

export const stripOwnerTrace: ReverseHandler = {
  name: "strip-owner-trace",
  description: "drop Received, the owner's DKIM and ARC, client fields and any field naming the owner",
  process(context) {
    const owner = context.ownerMailboxes.map((m) => m.toLowerCase());
    const before = context.message.fields.length;
    removeFields(context.message, (key, field) => {
      if (DROPPED.has(key) || key.startsWith("arc-") || key.startsWith(TRACE_PREFIX)) return true;
      const line = field.line.toLowerCase();
      return owner.some((address) => line.includes(address));
    });
    context.notes.push(`strip-owner-trace: ${before - context.message.fields.length} fields`);
  },
};
