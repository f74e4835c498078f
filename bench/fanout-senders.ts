/**
 * The fan-out load both bench Workers drive (bench/worker.ts /fanout, bench/relay-worker.ts
 * /relay-fanout): N member addresses cut into transactions of `perMessage`, sent by `senders`
 * concurrent loops that each take the next transaction when their previous one is done.
 */
import type { Envelope, RecipientOutcome } from "../src/deliver/relay";

/** `recipients` member addresses in envelopes of at most `perMessage`. */
export function memberEnvelopes(recipients: number, perMessage: number): string[][] {
  const envelopes: string[][] = [];
  for (let i = 0; i < recipients; i += perMessage) {
    envelopes.push(Array.from({ length: Math.min(perMessage, recipients - i) }, (_, j) => `m${i + j}@members.bench`));
  }
  return envelopes;
}

/** Sends every envelope with `senders` loops at a time; counts the recipients sent and failed. */
export async function sendConcurrently(
  envelopes: string[][],
  senders: number,
  send: (envelope: Envelope) => Promise<RecipientOutcome[]>,
): Promise<{ sent: number; failed: number }> {
  let next = 0;
  let sent = 0;
  let failed = 0;
  const loops = Array.from({ length: senders }, async () => {
    while (next < envelopes.length) {
      const rcptTo = envelopes[next++]!;
      const outcomes = await send({ mailFrom: "bounce@facteur.bench", rcptTo });
      for (const o of outcomes) o.status === "sent" ? sent++ : failed++;
    }
  });
  await Promise.all(loops);
  return { sent, failed };
}
