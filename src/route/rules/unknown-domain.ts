import { reject } from "../decision";
import type { Rule } from "../types";

/** A domain Facteur does not serve (or one switched off): 5.1.2 "bad destination system address". */
export const unknownDomain: Rule = {
  name: "unknown-domain",
  description: "reject mail for a domain that is not configured or is disabled",
  check({ facts, recipient }) {
    if (!facts.domain?.enabled) {
      return reject("unknown-domain", 550, "5.1.2", `Domain ${recipient.domain} is not handled here`);
    }
    return undefined;
  },
};
