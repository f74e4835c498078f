import { lookupKey } from "../../mail/address";
import { reject } from "../decision";
import type { Rule } from "../types";
import { findMatch } from "./alias";

/**
 * A disabled or expired alias does what its owner chose (migrations/0016): reject with their
 * reply text (550 5.2.1, RFC 3463 "mailbox disabled, not accepting messages"), or discard
 * silently, so a sender cannot tell a retired alias from a live one. Without options (a
 * catch-all) the alias rule's default reject applies.
 */
export const aliasDisabled: Rule = {
  name: "alias-disabled",
  description: "a disabled or expired alias: reject with the chosen reply, or discard",
  check: ({ facts }) => {
    const match = findMatch(facts);
    if (!match) return undefined;
    const options = facts.aliasOptions?.get(lookupKey(match.address));
    if (!options || (match.enabled && !options.expired)) return undefined;
    // A disabled alias left at the defaults gets the alias rule's own 5.2.1.
    if (!match.enabled && options.disabledAction === "reject" && options.disabledReply === null) return undefined;
    const state = match.enabled ? "expired" : "disabled";
    const reason = `alias ${match.address} is ${state}`;
    if (options.disabledAction === "discard") {
      return { kind: "discard", rule: "alias-disabled", reason, alias: match.address };
    }
    const text = options.disabledReply ?? `Mailbox ${match.address} is ${state}`;
    return { ...reject("alias-disabled", 550, "5.2.1", text), reason, alias: match.address };
  },
};
