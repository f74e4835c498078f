/**
 * What Facteur decided for one recipient of one message: a small union, free of side effects.
 * The entry point turns it into forward()/enqueue, a call into lists/, setReject() or a thrown error.
 */

/** An SMTP reply for a rejection: basic code (RFC 5321 section 4.2) and enhanced status (RFC 3463). */
export interface SmtpReply {
  code: 550 | 551 | 552 | 553 | 554;
  enhanced: string;
  text: string;
}

/** Where an accepted message goes, and how. Not to be confused with a deliveries row in D1. */
export interface Destination {
  /** Final destination address. */
  to: string;
  /**
   * "forward": message.forward(), which reaches only addresses verified in the Cloudflare account;
   * "relay": R2 + Queue + the outbound relay, for everything else.
   */
  via: "forward" | "relay";
}

/**
 * A message for one of a mailing list's addresses: routing only recognises it; lists/ decides what
 * to do (posting chain, commands, bounces, confirmations) in `handleListMessage`.
 */
export interface ListHandoff {
  kind: "list-post" | "list-request" | "list-owner" | "list-bounce" | "list-confirm";
  /** The list's post address (team@d). */
  list: string;
  /** The part after "+": the VERP-encoded member (list-bounce) or the token (list-confirm). */
  token?: string;
}

/**
 * A report for one of the domain's report addresses (RFC 7489 section 7.2, RFC 8460 section 3),
 * from a reporter that authenticated: reports/ parses and stores it.
 */
export interface ReportHandoff {
  kind: "dmarc-report" | "tls-report";
  /** The Facteur domain the report is filed under. */
  domain: string;
}

/**
 * A reply from the alias owner to a reverse address (route/rules/reverse-address.ts): the owner
 * authenticated; deliver/reverse/ strips what would reveal them and sends it to the correspondent
 * from the alias.
 */
export interface ReverseReplyHandoff {
  kind: "reverse-reply";
  contactId: string;
  /** The alias the reply is sent from, as stored. */
  alias: string;
  /** The correspondent the reply goes to. */
  to: string;
  /** The owner's mailboxes, removed from what is sent. */
  ownerMailboxes: string[];
}

/**
 * accept: forward or relay to `destinations` (never empty); handoff: a list address, handed to
 * lists/ with what routing recognised, or a report address, handed to reports/; the others carry
 * no destination.
 */
export type Decision =
  | {
      kind: "accept";
      rule: string;
      reason: string;
      destinations: Destination[];
      alias?: string;
      /** Reverse aliases on: the owner's copy shows a reverse address as From (deliver/reverse/). */
      reverse?: true;
    }
  | { kind: "handoff"; rule: string; reason: string; handoff: ListHandoff | ReportHandoff | ReverseReplyHandoff }
  | { kind: "hold"; rule: string; reason: string }
  // `alias` on discard and reject: the alias that refused (its blocked counter, migrations/0016).
  | { kind: "discard"; rule: string; reason: string; alias?: string }
  | { kind: "reject"; rule: string; reason: string; reply: SmtpReply; alias?: string }
  | { kind: "defer"; rule: string; reason: string };

export function reject(rule: string, code: SmtpReply["code"], enhanced: string, text: string): Decision {
  return { kind: "reject", rule, reason: text, reply: { code, enhanced, text } };
}

export function formatReply(reply: SmtpReply): string {
  return `${reply.code} ${reply.enhanced} ${reply.text}`;
}
