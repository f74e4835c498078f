/**
 * One `send` through a session pool: transactions until every recipient has an outcome. A 452
 * "too many recipients" sends the rest in the next transaction on the same session. When a reused
 * session turns out dead (the server dropped it, or answers 421) before the content was written,
 * the recipients not yet answered are tried again on another session; recipients already
 * accepted are never sent again.
 *
 * Nothing is logged per send: the consumer logs each job's outcome, and the pool each session.
 */
import type { Envelope, RecipientOutcome } from "../../relay";
import { SmtpSessionError } from "./errors";
import type { SessionPool } from "./pool";

/** Idle sessions that may turn out dead, one after the other (Workers: at most 6 connections). */
const MAX_STALE_RETRIES = 6;

export async function sendThroughPool(
  pool: SessionPool,
  envelope: Envelope,
  body: Uint8Array[],
): Promise<RecipientOutcome[]> {
  if (envelope.rcptTo.length === 0) return [];
  const outcomes: (RecipientOutcome | undefined)[] = envelope.rcptTo.map(() => undefined);
  let pending = envelope.rcptTo.map((_, i) => i);
  // Each dead reused session is retired, so this only bounds a pathological loop.
  let staleRetries = 0;
  while (pending.length > 0) {
    let lease: Awaited<ReturnType<SessionPool["acquire"]>>;
    try {
      lease = await pool.acquire();
    } catch (error) {
      if (!(error instanceof SmtpSessionError)) throw error;
      settle(envelope, outcomes, pending, error);
      break;
    }
    const progress = { contentSent: false };
    try {
      pending = await lease.session.deliver(envelope, body, pending, outcomes, progress);
    } catch (error) {
      if (!(error instanceof SmtpSessionError)) throw error;
      const unanswered = pending.filter((i) => outcomes[i] === undefined);
      if (lease.reused && !progress.contentSent && staleRetries < MAX_STALE_RETRIES) {
        staleRetries += 1;
        pending = unanswered;
        continue;
      }
      settle(envelope, outcomes, unanswered, error);
      pending = [];
    } finally {
      pool.release(lease.session);
    }
  }
  // Every path above settles every recipient; the fallback only guards that invariant.
  const settled = outcomes.map(
    (o, i) =>
      o ?? { rcpt: envelope.rcptTo[i]!, status: "temporary" as const, reply: "451 4.3.0 Facteur: no reply recorded" },
  );
  return settled;
}

function settle(
  envelope: Envelope,
  outcomes: (RecipientOutcome | undefined)[],
  indexes: number[],
  error: SmtpSessionError,
): void {
  for (const i of indexes) outcomes[i] ??= { rcpt: envelope.rcptTo[i]!, status: error.status, reply: error.reply };
}
