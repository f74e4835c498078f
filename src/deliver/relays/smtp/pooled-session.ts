/**
 * An open, authenticated SMTP session that carries transactions one after the other: the greeting,
 * EHLO, STARTTLS and AUTH are paid once (RFC 5321 section 3.3 lets a client start the next
 * transaction with MAIL right after the previous one's final reply).
 */
import type { Envelope, RecipientOutcome } from "../../relay";
import type { RelayConfig } from "../config";
import { type ConnectFn, SmtpConnection } from "./connection";
import type { SmtpCapabilities } from "./ehlo";
import { openSession } from "./session";
import type { SmtpTimeouts } from "./timeouts";
import { runTransaction, type SessionState } from "./transaction";
import { runWindow, type WindowResult, type WindowTransaction } from "./window";

type SmtpConfig = Extract<RelayConfig, { kind: "smtp" }>;

const SECURE_TRANSPORT = { tls: "on", starttls: "starttls", none: "off" } as const;

export class PooledSession {
  /** Transactions that reached their final reply on this session. */
  messages = 0;
  lastUsed = Date.now();
  /** Set when the session broke (421, timeout, lost connection): it is never used again. */
  broken = false;
  private readonly state: SessionState = { needsReset: false, errors: 0 };

  private constructor(
    private readonly conn: SmtpConnection,
    readonly caps: SmtpCapabilities,
    private readonly timeouts: SmtpTimeouts,
  ) {}

  static async open(config: SmtpConfig, timeouts: SmtpTimeouts, connect: ConnectFn): Promise<PooledSession> {
    const conn = await SmtpConnection.open(
      connect,
      config.host,
      config.port,
      SECURE_TRANSPORT[config.security],
      Math.min(timeouts.connect, timeouts.session),
    );
    try {
      conn.limitSession(Date.now() + timeouts.session);
      const caps = await openSession(conn, config, timeouts);
      return new PooledSession(conn, caps, timeouts);
    } catch (error) {
      await conn.close(timeouts.close);
      throw error;
    }
  }

  /** A recipient limit learnt from a 452 on another session of the same relay. */
  learnRecipientLimit(limit: number | undefined): void {
    if (limit !== undefined && (this.state.recipientLimit ?? Number.POSITIVE_INFINITY) > limit) {
      this.state.recipientLimit = limit;
    }
  }

  get recipientLimit(): number | undefined {
    return this.state.recipientLimit;
  }

  /** 4xx/5xx replies received on this session so far. */
  get errors(): number {
    return this.state.errors;
  }

  /**
   * One transaction to `candidates` (envelope indexes); returns those to send in a later one.
   * Throws SmtpSessionError when the session broke; `progress.contentSent` then says whether the
   * server may have taken the message.
   */
  async deliver(
    envelope: Envelope,
    body: Uint8Array[],
    candidates: number[],
    outcomes: (RecipientOutcome | undefined)[],
    progress: { contentSent: boolean },
  ): Promise<number[]> {
    // The session time limit bounds each transaction, not the life of the session.
    this.conn.limitSession(Date.now() + this.timeouts.session);
    try {
      const later = await runTransaction({
        conn: this.conn,
        caps: this.caps,
        timeouts: this.timeouts,
        state: this.state,
        envelope,
        body,
        candidates,
        outcomes,
        progress,
      });
      this.messages += 1;
      return later;
    } catch (error) {
      this.broken = true;
      throw error;
    } finally {
      this.lastUsed = Date.now();
    }
  }

  /** True when transactions may be pipelined back to back (window.ts): PIPELINING and CHUNKING. */
  get pipelinesTransactions(): boolean {
    return this.caps.pipelining && this.caps.chunking;
  }

  /** Several transactions pipelined in one flight (window.ts); a broken session is never reused. */
  async deliverWindow(txs: WindowTransaction[]): Promise<WindowResult> {
    this.conn.limitSession(Date.now() + this.timeouts.session);
    try {
      const result = await runWindow(
        { conn: this.conn, caps: this.caps, timeouts: this.timeouts, state: this.state },
        txs,
      );
      this.messages += result.later.length;
      if (result.broken) this.broken = true;
      return result;
    } catch (error) {
      this.broken = true;
      throw error;
    } finally {
      this.lastUsed = Date.now();
    }
  }

  /** RFC 5321 section 4.1.1.10: QUIT, then close; a QUIT that fails changes nothing. */
  async quit(): Promise<void> {
    if (!this.broken) await this.conn.command("QUIT", "QUIT", this.timeouts.quit).catch(() => undefined);
    await this.conn.close(this.timeouts.close);
  }
}
