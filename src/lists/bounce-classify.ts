/**
 * Classifies a delivery report for bounce scoring (a rule: it decides, it changes nothing).
 *   hard  a permanent failure (RFC 3464 Action: failed with a 5.x.x status): +1
 *   soft  a temporary one given up on (Action: failed, 4.x.x), or a VERP bounce with no readable
 *         report: +0.5
 *   spam  a refusal because of content or reputation: the member's mailbox is fine, so it does
 *         not count, otherwise one spammer's post would disable half the list
 *   none  delayed/delivered/relayed/expanded reports (RFC 3464 section 2.3.3): not a failure
 */
import type { DsnRecipientReport } from "../bounce/dsn-parse";

export type BounceKind = "hard" | "soft" | "spam" | "none";

export const BOUNCE_WEIGHT: Record<BounceKind, number> = { hard: 1, soft: 0.5, spam: 0, none: 0 };

/**
 * RFC 3463 X.7.x is "security or policy status"; with words like these the refusal is about the
 * message (spam filters, blocklists), not the mailbox.
 */
const SPAM_WORDS =
  /\b(?:spam|junk|blocklist(?:ed)?|blacklist(?:ed)?|block ?listed|reputation|phish|malware|virus|content (?:rejected|policy)|listed (?:at|on|by)|spamhaus|bulk mail|unsolicited)\b/i;

export function classifyReport(report: Pick<DsnRecipientReport, "action" | "status" | "diagnosticCode">): BounceKind {
  if (report.action !== "failed") return "none";
  const diagnostic = report.diagnosticCode ?? "";
  if (SPAM_WORDS.test(diagnostic)) return "spam";
  if (report.status.startsWith("5")) return "hard";
  if (report.status.startsWith("4")) return "soft";
  // No status at all: the report failed but says nothing more; count it as the milder kind.
  return "soft";
}
