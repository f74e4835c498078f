import { headerValue } from "../../mail/header-fields";
import type { ReceivedMessage } from "../../receive";
import { reject } from "../decision";
import type { Rule } from "../types";

/**
 * A delivery report: RFC 6522 multipart/report with RFC 3464 report-type=delivery-status
 * (parameter names and values are case-insensitive, RFC 2045 section 5.1; the value may be quoted).
 */
function isDeliveryReport(message: ReceivedMessage): boolean {
  const type = headerValue(message.headers, "content-type") ?? "";
  return /^\s*multipart\/report\s*;/i.test(type) && /;\s*report-type\s*=\s*"?delivery-status"?\s*(?:;|$)/i.test(type);
}

/**
 * Bounces to the SRS0/SRS1 envelope senders Facteur wrote when it relayed alias mail
 * (mail/srs.ts) go back to the original sender. A forged or expired SRS address is refused,
 * so nobody can use our domain to reflect mail at a third party (no open relay, no backscatter).
 *
 * Only bounces: the null reverse-path (RFC 5321 section 4.5.5) or a delivery report. Anyone who
 * received a relayed copy knows its SRS address; ordinary mail to it would be a relay, for three
 * weeks, from the operator's domain to the original sender.
 */
export const srsReturn: Rule = {
  name: "srs-return",
  description: "return bounces (null sender or delivery report) addressed to Facteur's SRS addresses",
  check({ srs, message }) {
    if (!srs) return undefined;
    if (!srs.ok) {
      return reject("srs-return", 550, "5.7.1", `Invalid SRS address (${srs.reason}): not a bounce of ours`);
    }
    if (message.mailFrom !== "" && !isDeliveryReport(message)) {
      return reject("srs-return", 550, "5.7.1", "An SRS address accepts only bounces (null sender or delivery report)");
    }
    return {
      kind: "accept",
      rule: "srs-return",
      reason: "bounce to an SRS address returned to the original sender",
      // Always through the relay: the original sender is an arbitrary external address, which
      // forward() (verified destinations only) cannot reach.
      destinations: [{ to: srs.original, via: "relay" }],
    };
  },
};
