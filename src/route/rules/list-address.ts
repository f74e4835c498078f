/**
 * The routing rule that recognises a mailing list's addresses (the grammar is
 * mail/minted-address.ts: post, -request, -owner, -bounces+<verp>, -confirm+<token>). It runs
 * before alias resolution, so a list address can never be captured by an alias pattern or the
 * catch-all. It only recognises: what happens next is lists/handle-list-message.ts.
 */
import { parseListAddress } from "../../mail/minted-address";
import { reject } from "../decision";
import type { Rule } from "../types";

export const listAddress: Rule = {
  name: "list-address",
  description: "hand mail for a list's post, -request, -owner, -bounces and -confirm addresses to lists/",
  check({ facts, recipient }) {
    const list = facts.list;
    if (!list) return undefined;
    const parsed = parseListAddress(recipient.local, list.lookup.slice(0, list.lookup.lastIndexOf("@")));
    if (!parsed) return undefined;
    const { kind, tag } = parsed;
    if (!list.enabled && kind !== "list-bounce") {
      // 5.2.1: "mailbox disabled, not accepting messages" (RFC 3463).
      return reject("list-address", 550, "5.2.1", `List ${list.address} is disabled`);
    }
    if (kind === "list-confirm" && !tag) {
      return reject("list-address", 550, "5.1.1", `${recipient.address} needs a confirmation token`);
    }
    return {
      kind: "handoff",
      rule: "list-address",
      reason: `${kind} for ${list.address}`,
      handoff: { kind, list: list.address, ...(tag ? { token: tag } : {}) },
    };
  },
};
