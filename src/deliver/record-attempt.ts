/**
 * After a delivery attempt (deliver-job.ts already recorded every chunk's rows): writes the DSN
 * notes of the permanent failures ('queued:<key>' or 'suppressed:<reason>', replacing 'pending')
 * and logs the attempt.
 */
import { log } from "../core/log";
import { markDsn } from "../store/deliveries";
import type { DeliveryAttempt } from "./deliver-job";

/** Returns true when some recipient was deferred: the job must run again. */
export async function recordAttempt(
  env: Env,
  attempt: DeliveryAttempt,
  dsnNotes: Map<string, string>,
): Promise<boolean> {
  const { job } = attempt;
  const byNote = new Map<string, string[]>();
  for (const [id, note] of dsnNotes) byNote.set(note, [...(byNote.get(note) ?? []), id]);
  for (const [note, ids] of byNote) await markDsn(env.DB, ids, note, attempt.now);
  const counts = { sent: 0, deferred: 0, bounced: attempt.failures.length };
  for (const r of attempt.records) {
    if (r.status === "sent") counts.sent++;
    else if (r.status === "deferred" || r.status === "relay-error") counts.deferred++;
  }
  log({
    stage: "deliver",
    unit: "consumer",
    outcome: counts.deferred ? "deferred" : "done",
    messageId: job.messageLogId,
    origin: job.origin,
    relay: attempt.relay,
    attempt: attempt.attempts,
    ...counts,
  });
  return counts.deferred > 0;
}
