import { reject } from "../decision";
import type { Rule } from "../types";

/**
 * Bounces to the SRS0/SRS1 envelope senders Facteur wrote when it relayed alias mail
 * (mail/srs.ts) go back to the original sender. A forged or expired SRS address is refused,
 * so nobody can use our domain to reflect mail at a third party (no open relay, no backscatter).
 */
export const srsReturn: Rule = {
  name: "srs-return",
  description: "return bounces addressed to Facteur's SRS addresses to the original sender",
  check({ srs }) {
    if (!srs) return undefined;
    if (!srs.ok) {
      return reject("srs-return", 550, "5.7.1", `Invalid SRS address (${srs.reason}): not a bounce of ours`);
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
