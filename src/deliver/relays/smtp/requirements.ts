/**
 * Decides, before any command is sent, what the message needs from the server and whether the
 * server can take it: SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), and envelope
 * addresses that are safe to put on a command line. Pure: no I/O.
 */
import { findHeaderEnd } from "../../../mail/header-section";
import type { Envelope } from "../../relay";
import { bodyFact } from "./body-facts";
import { bdatSize } from "./data-blocks";
import { hasEightBitBytes } from "./dot-stuff";
import type { SmtpCapabilities } from "./ehlo";

/** RFC 5321 section 4.5.3.1.3: a path (address with its angle brackets) is at most 256 octets. */
export const MAX_PATH_OCTETS = 256;

export interface TransactionPlan {
  /** ESMTP parameters for MAIL FROM, e.g. ["SIZE=1234", "BODY=8BITMIME"]. */
  mailParameters: string[];
  /** When set, nothing is sent: every recipient fails permanently with this reply. */
  refuseAll?: string;
  /** Recipients (by envelope index) that fail permanently with the given reply, never sent. */
  refused: Map<number, string>;
}

const encoder = new TextEncoder();

/** Non-ASCII addresses need SMTPUTF8 (RFC 6531 section 3.2). */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** C0 controls (CR, LF, NUL...) and DEL. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * An address goes between "<" and ">" on a command line: a CR, LF or bracket in it would let the
 * envelope inject SMTP commands, so such an address is refused, never sent.
 */
function unsafeAddressReason(address: string): string | undefined {
  if (hasControlCharacter(address) || /[<>]/.test(address)) return "contains a control character or angle bracket";
  if (encoder.encode(address).length + 2 > MAX_PATH_OCTETS) return `is longer than ${MAX_PATH_OCTETS} octets`;
  return undefined;
}

/** The header section (up to the first empty line), where RFC 6532 UTF-8 headers would be. */
function headerSection(raw: Uint8Array): Uint8Array {
  return raw.subarray(0, findHeaderEnd(raw)?.fieldsEnd ?? raw.length);
}

const eightBit = (bytes: Uint8Array) => bodyFact(bytes, "8bit", hasEightBitBytes);
const eightBitHeader = (raw: Uint8Array) => hasEightBitBytes(headerSection(raw));

/**
 * `message` is the message, or its parts in order (header lines to put in front, then the stored
 * message): each part but the last is header lines ending in a line break.
 */
export function planTransaction(
  caps: SmtpCapabilities,
  envelope: Envelope,
  message: Uint8Array | Uint8Array[],
): TransactionPlan {
  const parts = Array.isArray(message) ? message : [message];
  const raw = parts[parts.length - 1] ?? new Uint8Array(0);
  const refused = new Map<number, string>();
  const mailParameters: string[] = [];

  const fromProblem = unsafeAddressReason(envelope.mailFrom);
  if (fromProblem) {
    return { mailParameters, refused, refuseAll: `501 5.1.7 Facteur: the envelope sender ${fromProblem}` };
  }

  // RFC 1870 section 3: the size once line ends are CRLF (the stored bytes when already canonical).
  const size = bdatSize(parts);
  if (caps.size !== undefined) {
    if (caps.size > 0 && size > caps.size) {
      return {
        mailParameters,
        refused,
        refuseAll: `552 5.3.4 Facteur: the message is ${size} bytes, over the relay's SIZE limit of ${caps.size} (RFC 1870)`,
      };
    }
    mailParameters.push(`SIZE=${size}`);
  }

  if (parts.some(eightBit)) {
    if (!caps.eightBitMime) {
      return {
        mailParameters,
        refused,
        refuseAll:
          "554 5.6.3 Facteur: the message has 8-bit content and the relay does not offer 8BITMIME (RFC 6152); it cannot be sent unchanged",
      };
    }
    mailParameters.push("BODY=8BITMIME");
  }

  // RFC 6531 section 3.4: SMTPUTF8 is required for a non-ASCII envelope, and announced for UTF-8
  // headers (RFC 6532) when offered; it is not sent otherwise, so plain mail stays plain downstream.
  const asciiSender = isAscii(envelope.mailFrom);
  const anyUtf8Rcpt = envelope.rcptTo.some((rcpt) => !isAscii(rcpt));
  if (
    caps.smtpUtf8 &&
    (!asciiSender || anyUtf8Rcpt || parts.slice(0, -1).some(eightBit) || bodyFact(raw, "8bit-header", eightBitHeader))
  ) {
    mailParameters.push("SMTPUTF8");
  }
  if (!caps.smtpUtf8 && !asciiSender) {
    return {
      mailParameters,
      refused,
      refuseAll: "553 5.6.7 Facteur: the envelope sender is not ASCII and the relay does not offer SMTPUTF8 (RFC 6531)",
    };
  }

  envelope.rcptTo.forEach((rcpt, index) => {
    const problem = unsafeAddressReason(rcpt);
    if (problem) refused.set(index, `501 5.1.3 Facteur: the recipient address ${problem}`);
    else if (!caps.smtpUtf8 && !isAscii(rcpt)) {
      refused.set(
        index,
        "553 5.6.7 Facteur: the recipient is not ASCII and the relay does not offer SMTPUTF8 (RFC 6531)",
      );
    }
  });
  return { mailParameters, refused };
}
