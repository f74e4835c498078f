/**
 * The DMARC rule of a list post: decides whether the From must be rewritten, and how. It only
 * records the decision (STYLE.md: "the DMARC rule only records the policy"); the
 * dmarc-mitigation handler (transform/handlers/dmarc-mitigation.ts) does the rewrite.
 *
 * Why: the list changes the message (Subject prefix, list fields), so the author's DKIM signature
 * may break, and the relay's IP is not in the author's SPF. A receiver then sees unaligned mail
 * "from" the author's domain and applies its DMARC policy (RFC 7489 section 6.6): p=reject means
 * the copy is refused. Rewriting From to the list address, signed by the list domain, aligns it.
 */
import type { AuthResults } from "../../authenticate";
import type { DmarcMitigation } from "../../transform/types";
import type { DmarcMode, List } from "../types";

/** Policies that make receivers quarantine or refuse unaligned mail (RFC 7489 section 6.3, "p"). */
const STRICT_POLICIES = new Set(["quarantine", "reject"]);
/** Results meaning the policy could not be learned: DNS failure (RFC 7489 section 6.6.3). */
const UNKNOWN_RESULTS = new Set(["temperror", "permerror"]);

export function decideDmarcMitigation(
  list: Pick<List, "dmarcMode" | "dmarcAlwaysDomains">,
  dmarc: AuthResults["dmarc"],
  authorDomain: string,
): DmarcMitigation {
  const mode: DmarcMode = list.dmarcMode;
  if (mode === "none") return { action: "none", reason: "dmarc_mode none" };
  if (mode === "munge") return { action: "munge", reason: "dmarc_mode munge" };
  if (mode === "wrap") return { action: "wrap", reason: "dmarc_mode wrap" };
  // auto
  const domain = authorDomain.toLowerCase();
  if (list.dmarcAlwaysDomains.some((d) => domain === d || domain.endsWith(`.${d}`))) {
    // Gmail refuses unaligned gmail.com mail even though gmail.com publishes p=none.
    return { action: "munge", reason: `${domain} is on the list's always-rewrite domains` };
  }
  if (UNKNOWN_RESULTS.has(dmarc.result)) {
    // Fail closed: the policy could not be read, and guessing "none" when it is "reject" loses
    // the copy at every member's provider, while a needless rewrite only costs cosmetics.
    return { action: "munge", reason: `author DMARC policy unknown (${dmarc.result}): rewrite` };
  }
  if (dmarc.policy && STRICT_POLICIES.has(dmarc.policy.toLowerCase())) {
    return { action: "munge", reason: `${domain} publishes p=${dmarc.policy.toLowerCase()}` };
  }
  return {
    action: "none",
    reason: dmarc.policy ? `${domain} publishes p=${dmarc.policy}` : `${domain} publishes no DMARC policy`,
  };
}
