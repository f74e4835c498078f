import { domainOf, withSubaddress } from "../../mail/address";
import { matchWildcard } from "../../mail/wildcard";
import type { AliasCandidate, RoutingFacts } from "../../store/routing";
import { type Decision, type Destination, reject } from "../decision";
import type { Rule } from "../types";

type Match = { kind: "exact" | "subaddress" | "pattern" | "catch-all"; address: string; destinations: string[] } & {
  enabled: boolean;
};

/**
 * Resolution order, most specific first: exact alias; subaddress base (RFC 5233, "user+tag" →
 * "user"); wildcard patterns, the longest literal part winning; the domain's catch-all.
 */
export function findMatch(facts: RoutingFacts): Match | undefined {
  const byLookup = (key: string) => facts.candidates.find((c) => !c.isPattern && c.lookup === key);
  const exact = byLookup(facts.fullKey);
  if (exact) return { kind: "exact", ...pick(exact) };
  if (facts.baseKey !== facts.fullKey) {
    const base = byLookup(facts.baseKey);
    if (base) return { kind: "subaddress", ...pick(base) };
  }
  let best: { candidate: AliasCandidate; onFull: boolean } | undefined;
  for (const candidate of facts.candidates) {
    if (!candidate.isPattern) continue;
    // Linear-time matching (mail/wildcard.ts): no backtracking on a crafted address.
    const onFull = matchWildcard(candidate.lookup, facts.fullKey);
    if (!onFull && !matchWildcard(candidate.lookup, facts.baseKey)) continue;
    const better =
      !best ||
      candidate.literalLength > best.candidate.literalLength ||
      (candidate.literalLength === best.candidate.literalLength && onFull && !best.onFull);
    if (better) best = { candidate, onFull };
  }
  if (best) return { kind: "pattern", ...pick(best.candidate) };
  if (facts.domain?.catchAll?.length) {
    return { kind: "catch-all", address: `*@${facts.domain.name}`, destinations: facts.domain.catchAll, enabled: true };
  }
  return undefined;
}

function pick(candidate: AliasCandidate) {
  return { address: candidate.address, destinations: candidate.destinations, enabled: candidate.enabled };
}

/**
 * forward() reaches only destinations verified in the Cloudflare account (DESIGN.md), so those go
 * by forward() and keep the address exactly; anything else goes through the relay, where the
 * subaddress tag is carried over for providers that understand it.
 */
export function planDestinations(
  destinations: readonly string[],
  facts: RoutingFacts,
  tag: string | null,
): Destination[] {
  const seen = new Set<string>();
  const planned: Destination[] = [];
  for (const destination of destinations) {
    const key = destination.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    if (facts.verified.has(key) || facts.localDomains.has(domainOf(key))) {
      planned.push({ to: destination, via: "forward" });
    } else {
      planned.push({ to: withSubaddress(destination, tag), via: "relay" });
    }
  }
  return planned;
}

/** The alias decision for an address, given its routing facts (also used for nested aliases). */
export function resolveAlias(facts: RoutingFacts): Decision | undefined {
  const match = findMatch(facts);
  if (!match) return undefined;
  if (!match.enabled) {
    // 5.2.1: "mailbox disabled, not accepting messages" (RFC 3463).
    return reject("alias", 550, "5.2.1", `Mailbox ${match.address} is disabled`);
  }
  if (match.destinations.length === 0) {
    return reject("alias", 550, "5.1.1", `Mailbox ${match.address} has no destination`);
  }
  const tag = match.kind === "subaddress" || match.kind === "pattern" ? facts.tag : null;
  return {
    kind: "accept",
    rule: "alias",
    reason: `${match.kind} match ${match.address}`,
    destinations: planDestinations(match.destinations, facts, tag),
    alias: match.address,
  };
}

export const alias: Rule = {
  name: "alias",
  description: "accept mail for an exact alias, a subaddress, a wildcard pattern or the catch-all",
  check: ({ facts }) => resolveAlias(facts),
};
