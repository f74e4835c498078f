/**
 * Reads an incoming Delivery Status Notification (RFC 3464): which recipients failed, with what
 * status and diagnostic. Used for bounces that come back to Facteur (SRS, list VERP addresses).
 *
 * postal-mime does the MIME work (boundaries, transfer encodings, nested parts); the
 * message/delivery-status body is a list of header-style field groups that no library in workerd
 * parses, so that part is done here (RFC 3464 section 2.1: groups separated by blank lines, the
 * first per-message, the rest per-recipient).
 */
import PostalMime from "postal-mime";
import { headerValue } from "../mail/header-fields";
import { findHeaderEnd } from "../mail/header-section";

export interface DsnRecipientReport {
  /** Address from Final-Recipient (type prefix such as "rfc822;" removed). */
  finalRecipient: string;
  originalRecipient?: string;
  /** failed | delayed | delivered | relayed | expanded (lower-cased). */
  action: string;
  /** The enhanced status code only, e.g. "5.1.1" (comments dropped). */
  status: string;
  /** Diagnostic-Code without its type, e.g. "550 5.1.1 user unknown". */
  diagnosticCode?: string;
  remoteMta?: string;
}

export interface ParsedDsn {
  reportingMta?: string;
  arrivalDate?: string;
  originalEnvelopeId?: string;
  recipients: DsnRecipientReport[];
  /** Message-ID of the original, from the returned message or headers part. */
  originalMessageId?: string;
  /** Header section of the returned original (text/rfc822-headers or message/rfc822), CRLF. */
  originalHeaders?: string;
}

/** A report listing more recipients than this is hostile or broken; the rest is ignored. */
export const MAX_REPORTED_RECIPIENTS = 1000;

/** Parses RFC 822-style field groups: one Map per blank-line separated group, names lower-cased. */
export function parseFieldGroups(text: string): Map<string, string>[] {
  const groups: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      if (current.size > 0) groups.push(current);
      current = new Map();
      last = null;
      continue;
    }
    if ((line[0] === " " || line[0] === "\t") && last) {
      current.set(last, `${current.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    // The first occurrence wins (RFC 3464 defines each field at most once per group).
    if (!current.has(last)) current.set(last, line.slice(colon + 1).trim());
    else last = null;
  }
  if (current.size > 0) groups.push(current);
  return groups;
}

/** "rfc822; a@b" -> "a@b" (RFC 3464 section 2.3.2: address-type ";" generic-address). */
function stripType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(";");
  return (semi >= 0 ? value.slice(semi + 1) : value).trim().replace(/^<(.*)>$/, "$1");
}

function asText(content: string | ArrayBuffer | Uint8Array): string {
  return typeof content === "string" ? content : new TextDecoder().decode(content);
}

/**
 * Returns the parsed report, or null when the message carries no delivery-status part (not a DSN:
 * e.g. an out-of-office reply or a provider's free-text bounce).
 */
export async function parseDsn(raw: Uint8Array | string): Promise<ParsedDsn | null> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: "utf8" });
  const statusPart = email.attachments.find((a) => /^message\/(?:global-)?delivery-status$/i.test(a.mimeType));
  if (!statusPart) return null;
  const groups = parseFieldGroups(asText(statusPart.content));
  const perMessage = groups[0] && !groups[0].has("final-recipient") ? groups.shift() : undefined;
  const recipients: DsnRecipientReport[] = [];
  for (const group of groups.slice(0, MAX_REPORTED_RECIPIENTS)) {
    const finalRecipient = stripType(group.get("final-recipient"));
    if (!finalRecipient) continue;
    recipients.push({
      finalRecipient,
      originalRecipient: stripType(group.get("original-recipient")),
      action: (group.get("action") ?? "").split(/[\s(]/)[0]!.toLowerCase(),
      status: /\d\.\d{1,3}\.\d{1,3}/.exec(group.get("status") ?? "")?.[0] ?? "",
      diagnosticCode: stripType(group.get("diagnostic-code")),
      remoteMta: stripType(group.get("remote-mta")),
    });
  }
  const originalPart = email.attachments.find((a) =>
    /^(?:text\/rfc822-headers|message\/rfc822|message\/global(?:-headers)?)$/i.test(a.mimeType),
  );
  // CRLF line endings whatever postal-mime normalised them to (RFC 5322 section 2.1).
  const originalText = originalPart ? asText(originalPart.content) : undefined;
  const originalHeaders = originalText
    ?.slice(0, findHeaderEnd(originalText)?.fieldsEnd ?? originalText.length)
    .replace(/\r?\n/g, "\r\n");
  return {
    reportingMta: stripType(perMessage?.get("reporting-mta")),
    arrivalDate: perMessage?.get("arrival-date"),
    originalEnvelopeId: perMessage?.get("original-envelope-id"),
    recipients,
    originalMessageId: (originalHeaders && headerValue(originalHeaders, "message-id")) || undefined,
    originalHeaders,
  };
}
