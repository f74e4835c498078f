import { reject } from "../decision";
import type { Rule } from "../types";

/**
 * RFC 5322 section 3.6 requires exactly one From field. RFC 7489 section 6.6.1 lets a receiver
 * reject a message whose From names no domain or several domains, since DMARC cannot be applied
 * to it; Facteur rejects rather than forwarding mail whose author cannot be authenticated,
 * because the destination would judge it as spoofed and bounce it back at us.
 */
export const headerFrom: Rule = {
  name: "header-from",
  description: "reject mail without exactly one From field naming one author domain",
  check({ message, auth }) {
    const { fields, addresses, obfuscated } = message.from;
    if (obfuscated) {
      // Invisible or control characters inside the address: the reader sees one domain, DMARC
      // would be evaluated for another (receive/obfuscated-from.ts).
      return reject(
        "header-from",
        550,
        "5.7.1",
        "From header field hides invisible or control characters (RFC 7489 section 6.6.1)",
      );
    }
    if (fields === 0 || addresses.length === 0) {
      return reject("header-from", 550, "5.6.0", "Message has no From header field (RFC 5322 section 3.6)");
    }
    if (fields > 1) {
      return reject("header-from", 550, "5.6.0", "Message has more than one From header field (RFC 5322 section 3.6)");
    }
    if (auth.fromDomains.length !== 1) {
      return reject(
        "header-from",
        550,
        "5.7.1",
        "From header names several or no author domains; DMARC cannot apply (RFC 7489 section 6.6.1)",
      );
    }
    return undefined;
  },
};
