import { reject } from "../decision";
import type { Rule } from "../types";

/**
 * RFC 7489 section 6.7: a receiver should honour the author domain's p=reject for a message that
 * fails DMARC. Passing such mail on would only make the destination reject it and aim the bounce
 * at a forged sender. 5.7.1: "delivery not authorized, message refused".
 */
export const dmarcReject: Rule = {
  name: "dmarc-reject",
  description: "reject mail that fails DMARC when the author domain publishes p=reject",
  check({ auth }) {
    if (auth.dmarc.result === "fail" && auth.dmarc.policy === "reject") {
      return reject(
        "dmarc-reject",
        550,
        "5.7.1",
        `Unauthenticated email from ${auth.fromDomains[0] ?? "unknown domain"} is not accepted due to its DMARC policy`,
      );
    }
    return undefined;
  },
};
