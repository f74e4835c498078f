/**
 * Receive: the bounded read of the raw message and the parse of its header section. Nothing here
 * looks at D1 or DNS; a message that fails here is rejected before any other work.
 */
import { addressParser, decodeWords } from "postal-mime";
import { type HeaderField, headerValue, headerValues } from "../mail/header-fields";
import { parseHeaderSection } from "../mail/header-section";
import { isObfuscatedFrom } from "./obfuscated-from";
import { readBounded } from "./read-raw";

export interface ReceivedMessage {
  /** SMTP MAIL FROM ("" for the null reverse-path). */
  mailFrom: string;
  /** SMTP RCPT TO for this delivery (Email Routing calls email() once per recipient). */
  rcptTo: string;
  raw: Uint8Array;
  size: number;
  headers: HeaderField[];
  /** Addresses in the From field(s); `fields` counts the From header fields; `obfuscated` marks hidden characters. */
  from: { addresses: string[]; fields: number; display: string | undefined; obfuscated: boolean };
  messageId: string | undefined;
  subject: string | undefined;
}

export type ReceiveProblem =
  | { problem: "too-large"; size: number }
  | { problem: "header-too-large" }
  | { problem: "too-many-header-fields" }
  | { problem: "no-header-section" }
  | { problem: "bare-cr-or-nul" };

export interface IncomingEnvelope {
  from: string;
  to: string;
  raw: ReadableStream<Uint8Array>;
  rawSize: number;
}

/** Control characters other than TAB have no place in a mailbox (RFC 5322 section 3.2). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/g;
/** Byte-order marks and zero-width/space look-alikes used to smuggle a second identity. */
const INVISIBLE = /[\ufeff\u200b-\u200f\u202a-\u202e\u2060-\u2064\u00a0\u2000-\u200a\u3000]/g;

function parseFrom(fields: HeaderField[]): ReceivedMessage["from"] {
  const values = headerValues(fields, "from");
  const addresses: string[] = [];
  let display: string | undefined;
  for (const value of values) {
    for (const entry of addressParser(value.replace(INVISIBLE, " ").replace(CONTROL, ""), { flatten: true })) {
      if (entry.address) addresses.push(entry.address.trim());
      if (display === undefined && entry.name) display = decodeWords(entry.name);
    }
  }
  // Recorded here, decided by the header-from rule: see obfuscated-from.ts.
  return { addresses, fields: values.length, display, obfuscated: values.some(isObfuscatedFrom) };
}

export async function receive(
  envelope: IncomingEnvelope,
  maxBytes: number,
): Promise<{ ok: true; message: ReceivedMessage } | { ok: false; problem: ReceiveProblem }> {
  // Email Routing tells us the size up front: refuse without reading a byte when it is too big.
  if (envelope.rawSize > maxBytes) return { ok: false, problem: { problem: "too-large", size: envelope.rawSize } };
  const read = await readBounded(envelope.raw, maxBytes, envelope.rawSize);
  if (!read.ok) return { ok: false, problem: { problem: "too-large", size: read.bytesRead } };
  return parseReceived(envelope.from, envelope.to, read.bytes);
}

export function parseReceived(
  mailFrom: string,
  rcptTo: string,
  raw: Uint8Array,
): { ok: true; message: ReceivedMessage } | { ok: false; problem: ReceiveProblem } {
  const section = parseHeaderSection(raw);
  if (!section.ok) {
    const problem: ReceiveProblem =
      section.problem === "too-large"
        ? { problem: "header-too-large" }
        : section.problem === "too-many-fields"
          ? { problem: "too-many-header-fields" }
          : section.problem === "bare-cr-or-nul"
            ? { problem: "bare-cr-or-nul" }
            : { problem: "no-header-section" };
    return { ok: false, problem };
  }
  const subject = headerValue(section.fields, "subject");
  return {
    ok: true,
    message: {
      mailFrom: mailFrom === "<>" ? "" : mailFrom,
      rcptTo,
      raw,
      size: raw.byteLength,
      headers: section.fields,
      from: parseFrom(section.fields),
      messageId: headerValue(section.fields, "message-id"),
      subject: subject === undefined ? undefined : decodeWords(subject),
    },
  };
}
