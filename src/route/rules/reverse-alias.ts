import { lookupKey } from "../../mail/address";
import type { Rule } from "../types";
import { findMatch, resolveAlias } from "./alias";

/**
 * An alias with reverse aliases on (its own setting, else the domain's default) is accepted like
 * any alias, marked `reverse`: the owner's copy then gets From and Reply-To rewritten to the
 * correspondent's reverse address, which message.forward() cannot do (it adds X- fields only), so
 * deliver/reverse/ sends every copy through the relay, DKIM-signed by the alias domain.
 */
export const reverseAlias: Rule = {
  name: "reverse-alias",
  description: "an alias with reverse aliases on: accepted, the owner's copy rewritten",
  check: ({ facts }) => {
    const match = findMatch(facts);
    if (!match || match.kind === "catch-all" || match.kind === "pattern") return undefined;
    if (!facts.aliasOptions?.get(lookupKey(match.address))?.reverse) return undefined;
    const decision = resolveAlias(facts);
    return decision?.kind === "accept" ? { ...decision, rule: "reverse-alias", reverse: true } : decision;
  },
};
