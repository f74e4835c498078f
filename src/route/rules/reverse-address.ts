import { domainOf } from "../../mail/address";
import { reject } from "../decision";
import type { Rule } from "../types";

/**
 * A message to a reverse address (migrations/0016, contacts) is the alias owner replying to a
 * correspondent. Accepted only when its author is one of the owner's mailboxes (users database)
 * AND it passed DMARC for that mailbox's domain (RFC 7489 section 3.1: the From domain is the one
 * authenticated); anything else could be anyone writing "as" the alias, so 550 5.7.1 (RFC 3463:
 * "delivery not authorized"). The texts do not say whose alias it is.
 */
export const reverseAddress: Rule = {
  name: "reverse-address",
  description: "a reply to a reverse address: only the alias owner, authenticated (DMARC pass)",
  check: ({ facts, message, auth }) => {
    const reverse = facts.reverse;
    if (!reverse) return undefined;
    const author = message.from.addresses.length === 1 ? message.from.addresses[0]!.toLowerCase() : "";
    const owned = reverse.ownerMailboxes.some((m) => m.toLowerCase() === author);
    if (!author || !owned) {
      return reject("reverse-address", 550, "5.7.1", "Only the alias owner may write to this address");
    }
    const domain = domainOf(author);
    if (auth.dmarc.result !== "pass" || auth.dmarc.domain?.toLowerCase() !== domain) {
      return reject("reverse-address", 550, "5.7.1", `Message did not pass DMARC for ${domain}`);
    }
    return {
      kind: "handoff",
      rule: "reverse-address",
      reason: `reply through contact ${reverse.contactId}`,
      handoff: {
        kind: "reverse-reply",
        contactId: reverse.contactId,
        alias: reverse.alias,
        to: reverse.correspondent,
        ownerMailboxes: reverse.ownerMailboxes,
      },
    };
  },
};
