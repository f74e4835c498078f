/**
 * The routing rule that recognises a mailing list's addresses (issue 4, "Data and addresses"):
 *   team@d                 posts            team-request@d   commands
 *   team-owner@d           to the owners    team-bounces+<verp>@d  bounces (VERP)
 *   team-confirm+<token>@d confirmation replies
 * It runs before alias resolution, so a list address can never be captured by an alias pattern
 * or the catch-all. It only recognises: what happens next is lists/handle-list-message.ts.
 */
import { splitSubaddress } from "../mail/address";
import { type ListHandoff, reject } from "../route/decision";
import type { Rule } from "../route/types";

export const listAddress: Rule = {
  name: "list-address",
  description: "hand mail for a list's post, -request, -owner, -bounces and -confirm addresses to lists/",
  check({ facts, recipient }) {
    const list = facts.list;
    if (!list) return undefined;
    const { base, tag } = splitSubaddress(recipient.local);
    const listLocal = list.lookup.slice(0, list.lookup.lastIndexOf("@"));
    const suffix = base.toLowerCase().slice(listLocal.length);
    const kinds: Record<string, ListHandoff["kind"]> = {
      "": "list-post",
      "-request": "list-request",
      "-owner": "list-owner",
      "-bounces": "list-bounce",
      "-confirm": "list-confirm",
    };
    const kind = base.toLowerCase().startsWith(listLocal) ? kinds[suffix] : undefined;
    if (!kind) return undefined;
    if (!list.enabled && kind !== "list-bounce") {
      // 5.2.1: "mailbox disabled, not accepting messages" (RFC 3463).
      return reject("list-address", 550, "5.2.1", `List ${list.address} is disabled`);
    }
    if (kind === "list-confirm" && !tag) {
      return reject("list-address", 550, "5.1.1", `${recipient.address} needs a confirmation token`);
    }
    return {
      kind: "accept",
      rule: "list-address",
      reason: `${kind} for ${list.address}`,
      deliveries: [],
      handoff: { kind, list: list.address, ...(tag ? { token: tag } : {}) },
    };
  },
};
