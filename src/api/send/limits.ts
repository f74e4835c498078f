/** Limits of HTTP submission (POST /api/v1/send), each with its reason. */

/**
 * Recipients per message: Cloudflare Email Sending accepts 50 per send (DESIGN.md) and RFC 5321
 * section 4.5.3.1.8 only requires servers to take 100. A person writes to fewer; more is a
 * mailing list, which Facteur has a proper feature for.
 */
export const MAX_SUBMISSION_RECIPIENTS = 50;
/** The finished message: 10 MiB is above every common provider's attachment limit, and bounded. */
export const MAX_SUBMISSION_BYTES = 10 * 1024 * 1024;
/** Attachments per JSON message. */
export const MAX_ATTACHMENTS = 20;
/** Extra headers per JSON message. */
export const MAX_EXTRA_HEADERS = 20;

/**
 * Headers a JSON submission may not set: Facteur writes them (addresses, ids, MIME structure) or
 * they carry trust (signatures, authentication results, trace fields) that a sender must not forge.
 */
export const RESERVED_HEADERS = new Set([
  "from",
  "sender",
  "to",
  "cc",
  "bcc",
  "reply-to",
  "subject",
  "date",
  "message-id",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
  "content-disposition",
  "dkim-signature",
  "arc-seal",
  "arc-message-signature",
  "arc-authentication-results",
  "authentication-results",
  "received",
  "return-path",
  "delivered-to",
]);
