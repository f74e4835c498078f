/**
 * Builds a Delivery Status Notification (RFC 3464) for recipients that failed permanently:
 *
 *   multipart/report; report-type=delivery-status        RFC 6522
 *     text/plain                                         the human-readable part
 *     message/delivery-status                            RFC 3464 section 2: per-message fields,
 *                                                        then one block per recipient
 *     text/rfc822-headers                                the original header section (RFC 6522
 *                                                        section 4), not the body: smaller, and
 *                                                        enough to identify the message
 *
 * Written by hand: mimetext builds ordinary messages but not multipart/report with a
 * message/delivery-status part, and the format is a short, fixed layout. The subject is fixed
 * ASCII, so no encoded words are needed.
 */
import { rfc5322Date } from "../mail/date";
import { headerValue } from "../mail/header-fields";
import { headerSectionText } from "../mail/header-section";
import { validMessageId } from "../mail/message-id";

export interface DsnRecipient {
  /** The address that failed (RFC 3464 section 2.3.2 Final-Recipient). */
  finalRecipient: string;
  /** "failed" for a permanent failure (section 2.3.3). */
  action?: "failed" | "delayed";
  /** Enhanced status code, class 5 for failed (RFC 3463), e.g. "5.1.1". */
  status: string;
  /** The remote reply, e.g. "550 5.1.1 <x@y>: Recipient address rejected" (section 2.3.6). */
  diagnosticCode: string;
  /** The relay that answered, when known (section 2.3.5). */
  remoteMta?: string;
  lastAttemptDate?: Date;
  /** For a delayed recipient: when Facteur stops trying (RFC 3464 section 2.3.9 Will-Retry-Until). */
  willRetryUntil?: Date;
}

export interface DsnInput {
  /** Our MTA name (section 2.2.2 Reporting-MTA), e.g. the AUTHSERV_ID. */
  reportingMta: string;
  /** From: of the report, e.g. mailer-daemon@our.domain. */
  from: string;
  /** The original envelope sender, who receives the report. */
  to: string;
  /** When Facteur accepted the original (section 2.2.5 Arrival-Date). */
  arrivalDate: Date;
  /** The header section of the original, CRLF line endings. */
  originalHeaders: string;
  recipients: DsnRecipient[];
  /** Domain for the report's Message-ID. */
  messageIdDomain: string;
  now?: Date;
  /** Injected for deterministic tests. */
  boundary?: string;
  messageId?: string;
}

/** Anything but printable US-ASCII and whitespace (RFC 6531/6533 territory). */
const NON_ASCII = /[^\t\n\r\x20-\x7e]/;

/**
 * The original's header section returned in a DSN is cut at 8 KiB (on a line boundary): enough
 * for the Message-ID, From, Subject and the trace fields a postmaster needs to identify the
 * message, too small to carry an attacker's payload to whoever is named in MAIL FROM.
 */
export const DSN_RETURNED_HEADER_BYTES = 8 * 1024;

/** RFC 5322 section 2.1.1: lines are at most 998 characters. */
const MAX_FIELD_VALUE = 900;

/**
 * One line, no CR/LF or other control character (a remote reply or a returned Subject could
 * smuggle fields into the report otherwise), bounded.
 */
function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const flat = value.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return flat.length > MAX_FIELD_VALUE ? `${flat.slice(0, MAX_FIELD_VALUE)}...` : flat;
}

/** RFC 3464 section 2.3.2 address-type: rfc822 for ASCII, utf-8 (RFC 6533) otherwise. */
function typedAddress(address: string): string {
  return NON_ASCII.test(address) ? `utf-8; ${address}` : `rfc822; ${address}`;
}

/**
 * The enhanced status code for a reply (RFC 3463): the one the server gave when its class matches
 * `klass`, otherwise the generic X.0.0 of that class.
 */
export function statusFromReply(reply: string, klass: "4" | "5" = "5"): string {
  const match = /^\d{3}[ -]([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(reply.trim());
  if (match && match[1] === klass) return `${klass}.${match[2]}.${match[3]}`;
  return `${klass}.0.0`;
}

function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A warning, not a failure: every recipient is "delayed" (RFC 3464 section 2.3.3). */
const isDelayWarning = (input: DsnInput) => input.recipients.every((r) => r.action === "delayed");

function humanPart(input: DsnInput, subject: string | undefined): string {
  const lines = [
    `This is the mail system at ${input.reportingMta}.`,
    "",
    ...(isDelayWarning(input)
      ? [
          "Your message has not been delivered to one or more recipients yet.",
          "It is still being retried: you do not need to send it again. The details are below.",
        ]
      : [
          "Your message could not be delivered to one or more recipients.",
          "It will not be retried. The details are below.",
        ]),
    "",
    ...(subject ? [`Subject: ${oneLine(subject)}`, ""] : []),
  ];
  for (const r of input.recipients) lines.push(`<${r.finalRecipient}>: ${oneLine(r.diagnosticCode)}`);
  return lines.join("\r\n");
}

/** The complete report as text with CRLF line endings. */
export function buildDsn(input: DsnInput): string {
  if (input.recipients.length === 0) throw new Error("buildDsn needs at least one recipient");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (/[\u0000-\u001f\u007f]/.test(`${input.to}${input.from}${input.reportingMta}`)) {
    throw new Error("DSN address or MTA name contains a control character");
  }
  const now = input.now ?? new Date();
  const boundary = input.boundary ?? `dsn-${randomHex(12)}`;
  const messageId = input.messageId ?? `<${randomHex(16)}@${input.messageIdDomain}>`;
  // The original's header section, capped (DSN_RETURNED_HEADER_BYTES).
  const original = headerSectionText(input.originalHeaders, DSN_RETURNED_HEADER_BYTES);
  const originalMessageId = validMessageId(headerValue(original, "Message-ID"));
  const subject = headerValue(original, "Subject");
  const global = input.recipients.some((r) => NON_ASCII.test(r.finalRecipient));

  // RFC 3464 section 2.2: per-message fields, a blank line, then per-recipient blocks separated
  // by blank lines.
  const perMessage = [`Reporting-MTA: dns; ${input.reportingMta}`, `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`];
  const perRecipient = input.recipients.map((r) =>
    [
      `Final-Recipient: ${typedAddress(r.finalRecipient)}`,
      `Action: ${r.action ?? "failed"}`,
      `Status: ${r.status}`,
      ...(r.remoteMta ? [`Remote-MTA: dns; ${oneLine(r.remoteMta)}`] : []),
      `Diagnostic-Code: smtp; ${oneLine(r.diagnosticCode)}`,
      `Last-Attempt-Date: ${rfc5322Date(r.lastAttemptDate ?? now)}`,
      ...(r.willRetryUntil ? [`Will-Retry-Until: ${rfc5322Date(r.willRetryUntil)}`] : []),
    ].join("\r\n"),
  );
  const status = [perMessage.join("\r\n"), ...perRecipient].join("\r\n\r\n");
  const eightBit = NON_ASCII.test(original);

  const head = [
    `From: Mail Delivery System <${input.from}>`,
    `To: <${input.to}>`,
    `Subject: ${isDelayWarning(input) ? "Delayed Mail (still being retried)" : "Undelivered Mail Returned to Sender"}`,
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: ${messageId}`,
    ...(originalMessageId ? [`In-Reply-To: ${originalMessageId}`, `References: ${originalMessageId}`] : []),
    // RFC 3834 section 5: a DSN is an automatic reply; receivers must not answer it.
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ];
  return [
    ...head,
    "",
    "This is a MIME-encapsulated message.",
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    humanPart(input, subject),
    "",
    `--${boundary}`,
    // RFC 6533 section 6: non-ASCII addresses call for message/global-delivery-status.
    `Content-Type: message/${global ? "global-" : ""}delivery-status`,
    "",
    status,
    "",
    `--${boundary}`,
    "Content-Type: text/rfc822-headers",
    ...(eightBit ? ["Content-Transfer-Encoding: 8bit"] : []),
    "",
    original.replace(/\r\n$/, ""),
    "",
    `--${boundary}--`,
    "",
  ].join("\r\n");
}
