/**
 * The Cloudflare relay (`cloudflare:`): the `send_email` binding (SEND_EMAIL) with raw MIME
 * (`EmailMessage` from `cloudflare:email`), so signed and sealed bytes are sent unchanged.
 *
 * Without Email Sending the binding only reaches addresses verified in the account; with it,
 * Cloudflare caps a send at 50 recipients and 5 MiB and controls DKIM-Signature, ARC-* and
 * Return-Path (DESIGN.md, outbound limits). A raw `EmailMessage` names one recipient, so a batch
 * is sent as one message per recipient, in parallel.
 *
 * Error mapping (the binding throws an Error with a string `code`, Cloudflare Email Service docs):
 *   temporary  E_RATE_LIMIT_EXCEEDED, E_DAILY_LIMIT_EXCEEDED (quota resets), E_INTERNAL_SERVER_ERROR,
 *              E_DELIVERY_FAILED (outcome unknown: retried, at the risk of a rare duplicate, because
 *              dropping it would lose mail), any error without a code (network, binding hiccup)
 *   relay error E_SENDER_NOT_VERIFIED, E_SENDER_DOMAIN_NOT_AVAILABLE: the account's setup, temporary
 *              (recorded as relay-error for the operator; no recipient is at fault)
 *   permanent  E_VALIDATION_ERROR, E_FIELD_MISSING, E_TOO_MANY_RECIPIENTS, E_RECIPIENT_NOT_ALLOWED, E_RECIPIENT_SUPPRESSED,
 *              E_CONTENT_TOO_LARGE, E_HEADER_* / E_HEADERS_* (the same message fails the same way),
 *              and the Email Routing message "destination address is not a verified address"
 *   other codes: temporary (an unknown code is more likely new than fatal; the give-up horizon
 *              still ends it).
 */
import { EmailMessage } from "cloudflare:email";
import { headerValue } from "../../mail/header-fields";
import { headerSectionText } from "../../mail/header-section";
import type { Envelope, RecipientOutcome, Relay } from "../relay";
import { refusesOrigin, stripPlatformHeaders } from "./cloudflare-policy";
import { RelayConfigError } from "./relay-config-error";

/** Email Sending: "Max 50 recipients" per send. */
export const CLOUDFLARE_MAX_RECIPIENTS = 50;
/** Email Sending: 5 MiB per message. */
export const CLOUDFLARE_MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

const PERMANENT_CODES = new Set([
  "E_VALIDATION_ERROR",
  "E_FIELD_MISSING",
  "E_TOO_MANY_RECIPIENTS",
  "E_TOO_MANY_ATTACHMENTS",
  "E_RECIPIENT_NOT_ALLOWED",
  "E_RECIPIENT_SUPPRESSED",
  "E_CONTENT_TOO_LARGE",
]);
const TEMPORARY_CODES = new Set([
  "E_RATE_LIMIT_EXCEEDED",
  "E_DAILY_LIMIT_EXCEEDED",
  "E_INTERNAL_SERVER_ERROR",
  "E_DELIVERY_FAILED",
]);
/** The account's sending setup, not the message: fixed by the operator, then retried. */
const RELAY_ERROR_CODES = new Set(["E_SENDER_NOT_VERIFIED", "E_SENDER_DOMAIN_NOT_AVAILABLE"]);
/** Email Routing's send_email (verified destinations only) throws plain errors with these texts. */
const PERMANENT_MESSAGES = /not a verified|not verified|not allowed|invalid (?:from|to|sender|recipient)/i;

/** Maps an error thrown by SEND_EMAIL.send() to an outcome (see the table above). */
export function classifySendEmailError(rcpt: string, error: unknown): RecipientOutcome {
  const code = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "";
  const message = error instanceof Error ? error.message : String(error);
  const detail = `${code ? `${code}: ` : ""}${message}`.replace(/[\r\n]+/g, " ");
  if (RELAY_ERROR_CODES.has(code)) {
    return {
      rcpt,
      status: "temporary",
      reply: `451 4.3.5 send_email: the sender is not set up: ${detail}`,
      relayError: true,
    };
  }
  const permanent =
    PERMANENT_CODES.has(code) ||
    code.startsWith("E_HEADER") ||
    (!TEMPORARY_CODES.has(code) && !code && PERMANENT_MESSAGES.test(message));
  return permanent
    ? { rcpt, status: "permanent", reply: `550 5.7.1 send_email refused: ${detail}` }
    : { rcpt, status: "temporary", reply: `451 4.3.0 send_email failed: ${detail}` };
}

/**
 * send_email needs a sender address, but a DSN travels with the null reverse-path (RFC 5321
 * section 4.5.5). Cloudflare writes its own Return-Path with Email Sending (DESIGN.md), so the
 * envelope sender handed to the binding never reaches the wire as given: the report's From
 * (mailer-daemon@our domain) stands in for it.
 */
function headerFromAddress(raw: Uint8Array): string | null {
  const from = headerValue(headerSectionText(raw), "From");
  if (!from) return null;
  const match = /<([^<>\s]+@[^<>\s]+)>/.exec(from) ?? /([^\s<>,;:"]+@[^\s<>,;:"]+)/.exec(from);
  return match ? match[1]! : null;
}

/** The slice of SendEmail this relay uses, so tests can pass a binding that answers as declared. */
export interface SendEmailBinding {
  send(message: EmailMessage): Promise<unknown>;
}

export function createCloudflareRelay(
  env: { SEND_EMAIL?: SendEmailBinding },
  options: { allowLists?: boolean } = {},
): Relay {
  const binding = env.SEND_EMAIL;
  if (!binding) {
    throw new RelayConfigError(
      'RELAY_URL is "cloudflare:" but the Worker has no SEND_EMAIL binding; add [[send_email]] name = "SEND_EMAIL" to wrangler.toml',
    );
  }
  return {
    name: "cloudflare",
    maxRecipients: CLOUDFLARE_MAX_RECIPIENTS,
    maxMessageBytes: CLOUDFLARE_MAX_MESSAGE_BYTES,
    refusesOrigin: (origin) => refusesOrigin(origin, options.allowLists === true),
    async send(envelope: Envelope, stored: Uint8Array): Promise<RecipientOutcome[]> {
      const raw = stripPlatformHeaders(stored);
      if (raw.byteLength > CLOUDFLARE_MAX_MESSAGE_BYTES) {
        // RFC 3463 5.3.4: message too big for system. Retrying cannot shrink it.
        return envelope.rcptTo.map((rcpt) => ({
          rcpt,
          status: "permanent" as const,
          reply: `552 5.3.4 message is ${raw.byteLength} bytes, above Cloudflare Email Sending's ${CLOUDFLARE_MAX_MESSAGE_BYTES}`,
        }));
      }
      const from = envelope.mailFrom || headerFromAddress(raw);
      if (!from) {
        return envelope.rcptTo.map((rcpt) => ({
          rcpt,
          status: "permanent" as const,
          reply: "550 5.1.7 send_email needs a sender: null reverse-path and no From address",
        }));
      }
      // One Blob for the whole batch (each recipient streams from it): a Blob per recipient
      // would copy a 5 MiB body 50 times.
      const body = new Blob([raw]);
      return Promise.all(
        envelope.rcptTo.map(async (rcpt): Promise<RecipientOutcome> => {
          try {
            // A stream, not a string: the bytes go out exactly as stored (8-bit bodies included).
            const result = (await binding.send(new EmailMessage(from, rcpt, body.stream()))) as
              | { messageId?: string }
              | undefined;
            const reply = `250 2.0.0 Ok: ${result?.messageId ?? "accepted by send_email"}`;
            // Email Sending's events name the message by this id (src/sending-events/).
            return result?.messageId
              ? { rcpt, status: "sent", reply, providerMessageId: result.messageId }
              : { rcpt, status: "sent", reply };
          } catch (error) {
            return classifySendEmailError(rcpt, error);
          }
        }),
      );
    },
  };
}
