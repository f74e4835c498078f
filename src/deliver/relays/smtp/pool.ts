/**
 * Sessions to one relay, shared by every send of one invocation: a send takes an idle session (or
 * opens one, within the pool's and the invocation's connection budget, or waits for one) and gives
 * it back after its transactions. A session is retired after `maxMessages` transactions, after
 * `idleMs` without use, or when it broke.
 */
import { log } from "../../../core/log";
import type { ConnectionBudget, ConnectionHolder } from "../../connection-budget";
import type { PooledSession } from "./pooled-session";

export interface SessionLimits {
  /** Sessions open at once to this relay (further sends wait for one). */
  maxSessions: number;
  /** Transactions per session before it is closed and a new one opened. */
  maxMessages: number;
  /** A session unused this long is closed rather than reused (servers drop idle clients). */
  idleMs: number;
  /**
   * Error replies (a refused recipient, a refused DATA...) after which the session is closed and
   * the next transaction opens a fresh one: servers count errors per session and slow down or
   * disconnect past a limit (Postfix: smtpd_soft_error_limit 10, smtpd_hard_error_limit 20).
   */
  maxErrors: number;
}

/**
 * Conservative defaults: RFC 5321 section 4.5.3.2.7 lets a server drop a client idle for 5 minutes
 * and many do sooner, and submission services cap messages per connection (often at 100).
 */
export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxSessions: 3,
  maxMessages: 100,
  idleMs: 10_000,
  maxErrors: 8,
};

export interface PoolStats {
  opened: number;
  reused: number;
}

export class SessionPool implements ConnectionHolder {
  private readonly idle: PooledSession[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly closing: Promise<void>[] = [];
  private open = 0;
  private closed = false;
  /** Learnt from a 452 on any session, applied to the next ones. */
  private recipientLimit: number | undefined;
  readonly stats: PoolStats = { opened: 0, reused: 0 };

  constructor(
    private readonly opener: () => Promise<PooledSession>,
    private readonly limits: SessionLimits,
    private readonly budget: ConnectionBudget,
    /** host:port, for the log line each session leaves when it ends. */
    private readonly label = "",
  ) {
    budget.join(this);
  }

  /** A session ready for a transaction; `reused` when it carried one before. Throws what opening threw. */
  async acquire(): Promise<{ session: PooledSession; reused: boolean }> {
    for (;;) {
      const session = this.takeIdle();
      if (session) {
        this.stats.reused += 1;
        session.learnRecipientLimit(this.recipientLimit);
        return { session, reused: true };
      }
      if (this.open < this.limits.maxSessions && this.budget.tryTake(this)) {
        this.open += 1;
        try {
          const fresh = await this.opener();
          this.stats.opened += 1;
          fresh.learnRecipientLimit(this.recipientLimit);
          return { session: fresh, reused: false };
        } catch (error) {
          this.open -= 1;
          this.budget.give();
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(session: PooledSession): void {
    if (session.recipientLimit !== undefined) {
      this.recipientLimit = Math.min(this.recipientLimit ?? Number.POSITIVE_INFINITY, session.recipientLimit);
    }
    const spent = session.messages >= this.limits.maxMessages || session.errors >= this.limits.maxErrors;
    if (this.closed || session.broken || spent) this.retire(session);
    else this.idle.push(session);
    this.wake();
  }

  /** Transactions `session` may still carry before it is retired (at least one). */
  messagesLeft(session: PooledSession): number {
    return Math.max(1, this.limits.maxMessages - session.messages);
  }

  reclaimIdle(): boolean {
    const session = this.idle.shift();
    if (!session) return false;
    this.retire(session);
    return true;
  }

  wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** QUITs every idle session and waits for all closes (call when no send is running). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.idle.length > 0) this.retire(this.idle.pop()!);
    await Promise.all(this.closing);
  }

  private takeIdle(): PooledSession | undefined {
    const now = Date.now();
    for (let session = this.idle.pop(); session; session = this.idle.pop()) {
      if (now - session.lastUsed <= this.limits.idleMs) return session;
      this.retire(session);
    }
    return undefined;
  }

  private retire(session: PooledSession): void {
    this.open -= 1;
    log({
      stage: "deliver",
      unit: "smtp-session",
      outcome: session.broken ? "broken" : "closed",
      relay: this.label,
      messages: session.messages,
      pipelining: session.caps.pipelining,
      chunking: session.caps.chunking,
    });
    this.closing.push(session.quit());
    this.budget.give();
  }
}
