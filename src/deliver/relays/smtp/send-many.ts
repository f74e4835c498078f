/**
 * Many sends (e.g. a job's list copies, one transaction each) through a session pool, pipelined
 * across transactions where the session allows (window.ts), in bounded windows: at most
 * `transactions` transactions and about `bytes` of content written before their replies are read,
 * so a server that stops answering holds one window, never the whole job.
 *
 * When a window breaks (421, lost connection, timeout), the transactions whose final reply was
 * read keep their outcomes (and have been reported); the others' recipients without an outcome go
 * again on another session. Nothing whose 250 was recorded is sent twice; nothing is dropped: what
 * cannot be retried here is settled temporary, for the queue to retry.
 *
 * Sessions without PIPELINING and CHUNKING, and messages too large to go before their RCPT
 * replies, take the one-transaction path (send.ts), as before.
 */
import type { Envelope, RecipientOutcome } from "../../relay";
import { bdatSize } from "./data-blocks";
import { SmtpSessionError } from "./errors";
import type { SessionPool } from "./pool";
import { sendThroughPool } from "./send";
import { SPECULATIVE_BDAT_BYTES } from "./transaction";

export interface ManyItem {
  envelope: Envelope;
  /** The message in parts (see planTransaction). */
  body: Uint8Array[];
}

export interface WindowLimits {
  /** Transactions written before their replies are read. */
  transactions: number;
  /** Content bytes written before the replies are read (one transaction always fits). */
  bytes: number;
}

export const DEFAULT_WINDOW: WindowLimits = { transactions: 50, bytes: 512 * 1024 };

/** Broken sessions in one call after which the rest is left to the queue (Workers: 6 sockets). */
const MAX_BROKEN_SESSIONS = 6;

type Report = (index: number, outcomes: RecipientOutcome[]) => Promise<void>;

interface ItemState {
  outcomes: (RecipientOutcome | undefined)[];
  pending: number[];
  size: number;
}

export async function sendManyThroughPool(
  pool: SessionPool,
  items: ManyItem[],
  report: Report,
  limits: WindowLimits = DEFAULT_WINDOW,
): Promise<void> {
  const reports: Promise<void>[] = [];
  const states: ItemState[] = items.map((item) => ({
    outcomes: item.envelope.rcptTo.map(() => undefined),
    pending: item.envelope.rcptTo.map((_, i) => i),
    size: bdatSize(item.body),
  }));
  const finish = (k: number) => {
    const { envelope } = items[k]!;
    const outcomes = states[k]!.outcomes.map(
      (o, i) =>
        o ?? { rcpt: envelope.rcptTo[i]!, status: "temporary" as const, reply: "451 4.3.0 Facteur: no reply recorded" },
    );
    reports.push(report(k, outcomes));
  };
  const one = async (k: number) => {
    const state = states[k]!;
    const outcomes = await sendThroughPool(pool, items[k]!.envelope, items[k]!.body);
    state.outcomes = outcomes;
    finish(k);
  };

  let queue: number[] = [];
  const single: number[] = [];
  states.forEach((s, k) => {
    if (s.pending.length === 0) finish(k);
    else if (s.size > SPECULATIVE_BDAT_BYTES) single.push(k);
    else queue.push(k);
  });

  let broken = 0;
  while (queue.length > 0) {
    let lease: Awaited<ReturnType<SessionPool["acquire"]>>;
    try {
      lease = await pool.acquire();
    } catch (error) {
      if (!(error instanceof SmtpSessionError)) throw error;
      for (const k of queue) giveUp(items[k]!.envelope, states[k]!, error);
      queue.forEach(finish);
      break;
    }
    const { session, reused } = lease;
    if (!session.pipelinesTransactions) {
      pool.release(session);
      single.unshift(...queue);
      break;
    }
    try {
      const picked = pick(queue, states, Math.min(limits.transactions, pool.messagesLeft(session)), limits.bytes);
      queue = queue.slice(picked.length);
      const result = await session.deliverWindow(
        picked.map((k) => ({ ...items[k]!, candidates: states[k]!.pending, outcomes: states[k]!.outcomes })),
      );
      const again: number[] = [];
      picked.forEach((k, j) => {
        const state = states[k]!;
        state.pending = result.later[j] ?? state.pending.filter((i) => state.outcomes[i] === undefined);
        if (state.pending.length > 0) again.push(k);
        else finish(k);
      });
      if (result.broken) {
        // A session that carried nothing and was fresh is not retried at once (send.ts does the same).
        const retry = (result.later.length > 0 || reused) && broken < MAX_BROKEN_SESSIONS;
        broken += 1;
        if (!retry) {
          for (const k of again) giveUp(items[k]!.envelope, states[k]!, result.broken);
          again.forEach(finish);
          again.length = 0;
        }
      }
      // Oldest first: a window's first transaction always ends cleanly, so each window progresses.
      queue = [...again, ...queue];
    } finally {
      pool.release(session);
    }
  }
  for (const k of single) await one(k);
  await Promise.all(reports);
}

/** The next transactions, within the window's count and bytes (the first always goes). */
function pick(queue: number[], states: ItemState[], count: number, bytes: number): number[] {
  const picked: number[] = [];
  let total = 0;
  for (const k of queue) {
    const size = states[k]!.size;
    if (picked.length >= count || (picked.length > 0 && total + size > bytes)) break;
    picked.push(k);
    total += size;
  }
  return picked;
}

function giveUp(envelope: Envelope, state: ItemState, error: SmtpSessionError): void {
  for (const i of state.pending)
    state.outcomes[i] ??= { rcpt: envelope.rcptTo[i]!, status: error.status, reply: error.reply };
  state.pending = [];
}
