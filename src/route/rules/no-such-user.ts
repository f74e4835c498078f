import { reject } from "../decision";
import type { Rule } from "../types";

/** Last in the chain: nothing matched. 5.1.1 "bad destination mailbox address" (RFC 3463). */
export const noSuchUser: Rule = {
  name: "no-such-user",
  description: "reject mail for an address with no alias, pattern or catch-all",
  check({ recipient }) {
    return reject("no-such-user", 550, "5.1.1", `No such user: ${recipient.address}`);
  },
};
