/**
 * What the inbound log (the messages table's `decision`) records for one message and recipient:
 * the routing decision as carried out. "relayed" is an accept that went only through the relay,
 * "list" a message a mailing list took, "report" a DMARC or TLS report filed.
 */
export const LOGGED_DECISIONS = [
  "forwarded",
  "relayed",
  "list",
  "report",
  "held",
  "rejected",
  "discarded",
  "deferred",
] as const;

export type LoggedDecision = (typeof LOGGED_DECISIONS)[number];
