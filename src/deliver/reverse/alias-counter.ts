/**
 * Which per-alias counter (migrations/0016) a logged decision adds to: forwarded for alias mail
 * delivered (forward() or relay), replied for an owner's reply sent through a reverse address,
 * blocked for mail a disabled/expired alias or a blocked contact refused or discarded.
 */
import type { LoggedDecision } from "../../core/logged-decision";
import type { Decision } from "../../route/decision";
import { type AliasCounter, countAliasEvent } from "../../store/alias-options";

export function aliasCounterFor(
  decision: Decision,
  logged: LoggedDecision,
): { alias: string; counter: AliasCounter } | null {
  if (decision.kind === "accept" && decision.alias) {
    if (logged !== "forwarded" && logged !== "relayed") return null;
    return { alias: decision.alias, counter: decision.rule === "reverse-address" ? "replied" : "forwarded" };
  }
  if ((decision.kind === "reject" || decision.kind === "discard") && decision.alias) {
    return { alias: decision.alias, counter: "blocked" };
  }
  return null;
}

/** The counter's UPDATE for this decision, or null when it counts for no alias. */
export function aliasCounterStatement(
  db: D1Database,
  decision: Decision,
  logged: LoggedDecision,
): D1PreparedStatement | null {
  const counted = aliasCounterFor(decision, logged);
  return counted ? countAliasEvent(db, counted.alias, counted.counter) : null;
}
