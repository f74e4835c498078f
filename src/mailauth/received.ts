/**
 * Received header parsing (RFC 5321 section 4.4 trace fields) by mailauth's parser: the clauses
 * ("from", "by", ...) and the client address a receiver recorded in the "from" clause.
 */
import { getClientAddress, type ParsedReceived, parseReceived } from "mailauth/lib/parse-received";

export type { ParsedReceived };

/** `value` is the field body, without "Received:". */
export function parseReceivedField(value: string): ParsedReceived {
  return parseReceived(`Received: ${value}`);
}

/** The client IP a "from" clause carries ("from h (h [192.0.2.1])"), or null. */
export function receivedClientAddress(parsed: ParsedReceived): string | null {
  return getClientAddress(parsed.from) || null;
}
