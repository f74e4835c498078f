/**
 * Raw RFC 5322 submission: read From and the recipients from the header section, remove Bcc
 * (RFC 5322 section 3.6.3: blind recipients must not be visible), and add Date and Message-ID when
 * missing, as a submission server does (RFC 6409 section 8.2 and 8.3).
 */
import { addressParser } from "postal-mime";
import { parseAddress } from "../../mail/address";
import { fromBinaryString, toBinaryString } from "../../mail/bytes";
import { rfc5322Date } from "../../mail/date";
import { headerValues } from "../../mail/header-fields";
import { findHeaderEnd, parseHeaderSection } from "../../mail/header-section";

export interface RawSubmission {
  /** The message to send, byte for byte except the header edits. */
  bytes: Uint8Array;
  from: string | null;
  /** Why From is unusable (missing, several addresses, invalid). */
  fromProblem: string | null;
  recipients: string[];
  invalidRecipients: string[];
  messageId: string;
}

function addresses(values: string[]): { valid: string[]; invalid: string[] } {
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const value of values) {
    for (const entry of addressParser(value, { flatten: true })) {
      if (!entry.address) continue;
      const parsed = parseAddress(entry.address);
      if (parsed) valid.push(parsed.address);
      else invalid.push(entry.address);
    }
  }
  return { valid, invalid };
}

/**
 * Removes every Bcc field (with its folded continuation lines) from the header section. RFC 5322
 * section 4.5 (obs-optional) allows whitespace before the colon, and the parser reads "Bcc :" as
 * Bcc, so the strip must match it too: a recipient read from a field that is sent is not blind.
 */
function stripBcc(header: string): string {
  return header.replace(/^Bcc[ \t]*:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n/gim, "");
}

export function readRawSubmission(bytes: Uint8Array, newMessageId: () => string, now: Date): RawSubmission | null {
  const section = parseHeaderSection(bytes);
  if (!section.ok) return null;
  const bounds = findHeaderEnd(bytes);
  if (!bounds) return null;
  // A "binary string" (one char per byte) keeps 8-bit bodies in any charset intact.
  const text = toBinaryString(bytes);
  let header = `${text.slice(0, bounds.fieldsEnd)}\r\n`;
  const body = text.slice(bounds.bodyStart);

  const field = (name: string) => headerValues(section.fields, name);
  const fromValues = addresses(field("from"));
  let fromProblem: string | null = null;
  if (field("from").length !== 1 || fromValues.valid.length + fromValues.invalid.length !== 1) {
    fromProblem = "a submitted message needs exactly one From header with one address";
  } else if (fromValues.valid.length !== 1) fromProblem = `From is not a valid address: ${fromValues.invalid[0]}`;

  const rcpt = addresses([...field("to"), ...field("cc"), ...field("bcc")]);
  header = stripBcc(header);
  let messageId = field("message-id")[0]?.trim() ?? "";
  if (!messageId) {
    messageId = newMessageId();
    header += `Message-ID: ${messageId}\r\n`;
  }
  if (field("date").length === 0) header += `Date: ${rfc5322Date(now)}\r\n`;
  const crlfBody = body.replace(/\r?\n/g, "\r\n");
  return {
    bytes: fromBinaryString(`${header.replace(/\r?\n/g, "\r\n")}\r\n${crlfBody}`),
    from: fromValues.valid.length === 1 && !fromProblem ? (fromValues.valid[0] ?? null) : null,
    fromProblem,
    recipients: rcpt.valid,
    invalidRecipients: rcpt.invalid,
    messageId,
  };
}
