import type { Decision, ReportHandoff } from "../decision";
import type { Rule } from "../types";

/**
 * Mail for the domain's report addresses (by default dmarc-reports@ and tls-reports@, the `rua`
 * of its DMARC record, RFC 7489 section 6.3, and of its `_smtp._tls` record, RFC 8460 section 3).
 * A report is taken only from a reporter whose domain passed DMARC: anyone can send XML claiming
 * to be Google's, and a forged report would paint a false picture of who sends as the domain.
 * Anything else is discarded, never rejected: a rejection would make the reporter's server send a
 * bounce, and the report address must not be a way to reflect mail at a third party.
 */
export const reportAddress: Rule = {
  name: "report-address",
  description: "hand DMARC and TLS reports from authenticated reporters to reports/, discard the rest",
  check({ facts, recipient, auth }): Decision | undefined {
    const locals = facts.reportLocals;
    if (!locals) return undefined;
    const local = recipient.local.toLowerCase();
    let kind: ReportHandoff["kind"] | undefined;
    if (local === locals.dmarc.toLowerCase()) kind = "dmarc-report";
    else if (local === locals.tls.toLowerCase()) kind = "tls-report";
    if (!kind) return undefined;
    if (auth.dmarc.result !== "pass") {
      const from = auth.fromDomains.join(", ") || "no From domain";
      return {
        kind: "discard",
        rule: "report-address",
        reason: `${kind} from ${from} without DMARC pass (dmarc=${auth.dmarc.result}): not stored`,
      };
    }
    return {
      kind: "handoff",
      rule: "report-address",
      reason: `${kind} from ${auth.dmarc.domain ?? auth.fromDomains[0] ?? "?"}`,
      handoff: { kind, domain: recipient.domain },
    };
  },
};
