import { lookupKey } from "../../mail/address";
import { reject } from "../decision";
import type { Rule } from "../types";
import { findMatch } from "./alias";

/**
 * Mail from a contact the owner blocked (by its From author) is refused with 550 5.7.1 (RFC 3463:
 * "delivery not authorized, message refused") or discarded, as the alias is set
 * (migrations/0016, blocked_action).
 */
export const blockedContact: Rule = {
  name: "blocked-contact",
  description: "mail from a blocked contact of the alias: reject or discard, per alias",
  check: ({ facts }) => {
    const match = findMatch(facts);
    if (!match) return undefined;
    const key = lookupKey(match.address);
    if (!facts.senderContacts?.get(key)?.blocked) return undefined;
    const reason = `sender blocked for ${match.address}`;
    if (facts.aliasOptions?.get(key)?.blockedAction === "discard") {
      return { kind: "discard", rule: "blocked-contact", reason, alias: match.address };
    }
    return { ...reject("blocked-contact", 550, "5.7.1", "Message refused by the recipient"), alias: match.address };
  },
};
