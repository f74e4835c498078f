/**
 * Which accepted destinations may go by message.forward(). Pure: a decision, no side effect.
 * - Outlook.com has been reported to refuse mail from Email Routing's forwarding IPs
 *   (`550 5.7.1 … block list (S3150)`, DESIGN.md), so destinations at the configured relay-only
 *   domains (default outlook.com, hotmail.com, live.com, msn.com) always go through the relay,
 *   even when verified.
 * - A runtime that says `message.canBeForwarded === false` cannot forward this message at all: every
 *   destination goes through the relay. Older runtimes do not have the property; then forward().
 */
import type { Destination } from "../route/decision";

export const DEFAULT_RELAY_ONLY_DOMAINS: readonly string[] = ["outlook.com", "hotmail.com", "live.com", "msn.com"];

export interface ForwardPolicy {
  relayOnlyDomains: ReadonlySet<string>;
  /** `message.canBeForwarded` where the runtime provides it. */
  canBeForwarded: boolean | undefined;
}

export interface ForwardSplit {
  forward: Destination[];
  /** Verified destinations that go through the relay anyway, with why. */
  relay: { to: string; reason: string }[];
}

export function splitForwardable(destinations: readonly Destination[], policy: ForwardPolicy): ForwardSplit {
  const split: ForwardSplit = { forward: [], relay: [] };
  for (const destination of destinations) {
    const domain = destination.to.slice(destination.to.lastIndexOf("@") + 1).toLowerCase();
    if (policy.canBeForwarded === false) split.relay.push({ to: destination.to, reason: "canBeForwarded is false" });
    else if (policy.relayOnlyDomains.has(domain))
      split.relay.push({ to: destination.to, reason: `${domain} is relay-only` });
    else split.forward.push(destination);
  }
  return split;
}

/** RELAY_ONLY_DOMAINS: comma-separated; unset means the default list, empty means none. */
export function relayOnlyDomains(raw: string | undefined): ReadonlySet<string> {
  if (raw === undefined) return new Set(DEFAULT_RELAY_ONLY_DOMAINS);
  return new Set(
    raw
      .split(",")
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean),
  );
}
