/**
 * The relays of one invocation: each relay that can share connections is opened once per scope,
 * with one connection budget for all of them, and closed when the invocation's work is done.
 * Relays without `openScope` are used as they are.
 */
import { ConnectionBudget } from "./connection-budget";
import type { Relay, ScopedRelay } from "./relay";

export class RelayScope {
  private readonly scoped = new Map<Relay, ScopedRelay>();

  constructor(readonly budget: ConnectionBudget = new ConnectionBudget()) {}

  use(relay: Relay): Relay {
    if (!relay.openScope) return relay;
    let scoped = this.scoped.get(relay);
    if (!scoped) {
      scoped = relay.openScope(this.budget);
      this.scoped.set(relay, scoped);
    }
    return scoped;
  }

  /** Wraps a relay lookup so that every relay it returns is used through this scope. */
  wrap<A extends unknown[]>(lookup: (...args: A) => Promise<Relay>): (...args: A) => Promise<Relay> {
    return async (...args) => this.use(await lookup(...args));
  }

  async close(): Promise<void> {
    const all = [...this.scoped.values()];
    this.scoped.clear();
    await Promise.all(all.map((relay) => relay.close()));
  }
}
