/**
 * Route: run the inbound chain for one recipient, then follow destinations that are themselves
 * Facteur addresses (nested aliases) until every destination is external.
 */
import type { AuthResults } from "../authenticate";
import type { Config } from "../core/config";
import { isSrsAddress, srsReverse } from "../mail/minted-address";
import type { ReceivedMessage } from "../receive";
import { findRoutingFacts, type RoutingFacts } from "../store/routing";
import { INBOUND_CHAIN, runChain } from "./chain";
import { type Decision, type Destination, reject } from "./decision";
import { resolveAlias } from "./rules/alias";
import type { Rule } from "./types";

/** An alias may point at another alias; deeper than this is a misconfiguration, not a use. */
const MAX_ALIAS_DEPTH = 8;

export interface Recipient {
  local: string;
  domain: string;
  address: string;
}

export interface RouteResult {
  decision: Decision;
  /** D1 statements issued, for the benchmark's query count. */
  queries: number;
}

export async function route(
  db: D1Database,
  message: ReceivedMessage,
  auth: AuthResults,
  recipient: Recipient,
  config: Config,
  chain: readonly Rule[] = INBOUND_CHAIN,
): Promise<RouteResult> {
  const sender = message.from.addresses.length === 1 ? message.from.addresses[0] : undefined;
  const facts = await findRoutingFacts(db, recipient.local, recipient.domain, { sender });
  let queries = 1;
  const srs = isSrsAddress(recipient.address) ? await srsReverse(recipient.address, config.srsSecret) : null;
  const decision = runChain(chain, { message, auth, recipient, facts, config, srs });
  if (decision.kind !== "accept") return { decision, queries };
  const expanded = await expandLocal(db, decision.destinations, facts, new Set([recipient.address.toLowerCase()]), 1);
  queries += expanded.queries;
  if ("reject" in expanded) return { decision: expanded.reject, queries };
  return { decision: { ...decision, destinations: expanded.destinations }, queries };
}

async function expandLocal(
  db: D1Database,
  destinations: Destination[],
  facts: RoutingFacts,
  visited: Set<string>,
  depth: number,
): Promise<{ destinations: Destination[]; queries: number } | { reject: Decision; queries: number }> {
  const out: Destination[] = [];
  let queries = 0;
  for (const destination of destinations) {
    const at = destination.to.lastIndexOf("@");
    const domain = destination.to.slice(at + 1).toLowerCase();
    if (!facts.localDomains.has(domain)) {
      out.push(destination);
      continue;
    }
    const key = destination.to.toLowerCase();
    if (visited.has(key)) {
      return { reject: reject("alias", 554, "5.4.6", `Alias loop through ${destination.to}`), queries };
    }
    if (depth >= MAX_ALIAS_DEPTH) {
      return { reject: reject("alias", 554, "5.4.6", `Aliases nested deeper than ${MAX_ALIAS_DEPTH}`), queries };
    }
    const nested = await findRoutingFacts(db, destination.to.slice(0, at), domain);
    queries++;
    const decision = resolveAlias(nested);
    if (decision?.kind !== "accept") {
      const text = decision?.kind === "reject" ? decision.reason : `no alias for ${destination.to}`;
      return { reject: reject("alias", 550, "5.1.1", `Nested destination ${destination.to}: ${text}`), queries };
    }
    const inner = await expandLocal(db, decision.destinations, nested, new Set([...visited, key]), depth + 1);
    queries += inner.queries;
    if ("reject" in inner) return inner;
    out.push(...inner.destinations);
  }
  // The same final address reached through two paths is delivered once.
  const unique = new Map(out.map((d) => [d.to.toLowerCase(), d]));
  return { destinations: [...unique.values()], queries };
}
