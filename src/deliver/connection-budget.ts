/**
 * How many outgoing connections one invocation may hold at once. Workers allow six simultaneous
 * outgoing connections per invocation (DESIGN.md, platform limits); a seventh waits for one to
 * close, so a relay that opened more would only queue inside the runtime while holding sessions
 * idle. The budget is shared by every relay pool of the invocation: a pool that needs a slot while
 * another pool holds idle sessions makes that pool close one.
 */

/** Workers' limit, minus one left for the other subrequests of the invocation (fetch, DoH). */
export const DEFAULT_CONNECTION_BUDGET = 5;

/** A holder of connections that can give one back on request (an idle session). */
export interface ConnectionHolder {
  /** Closes one idle connection if it has one (which gives its slot back); true when it did. */
  reclaimIdle(): boolean;
  /** A slot came free: waiters may try again. */
  wake(): void;
}

export class ConnectionBudget {
  private used = 0;
  private readonly holders = new Set<ConnectionHolder>();

  constructor(readonly limit: number = DEFAULT_CONNECTION_BUDGET) {}

  join(holder: ConnectionHolder): void {
    this.holders.add(holder);
  }

  /** Takes a slot if one is free, closing another holder's idle connection when none is. */
  tryTake(requester: ConnectionHolder): boolean {
    if (this.used >= this.limit) {
      for (const holder of this.holders) {
        if (holder !== requester && holder.reclaimIdle()) break;
      }
    }
    if (this.used >= this.limit) return false;
    this.used += 1;
    return true;
  }

  give(): void {
    this.used = Math.max(0, this.used - 1);
    for (const holder of this.holders) holder.wake();
  }

  get inUse(): number {
    return this.used;
  }
}
