/**
 * Records a delivery attempt in D1, in one statement: sent and deferred rows, and the permanent
 * failures as bounced with their DSN note ('queued:<key>' or 'suppressed:<reason>'). Called after
 * the failures were reported, so a bounced row always says what became of its report.
 */
import { log } from "../core/log";
import { type AttemptRecord, recordAttempts } from "../store/deliveries";
import type { DeliveryAttempt } from "./deliver-job";

/** Returns true when some recipient was deferred: the job must run again. */
export async function recordAttempt(
  env: Env,
  attempt: DeliveryAttempt,
  dsnNotes: Map<string, string>,
): Promise<boolean> {
  const { job } = attempt;
  const records: AttemptRecord[] = [...attempt.records];
  for (const failure of attempt.failures) {
    records.push({
      id: failure.recipient.id,
      status: "bounced",
      reply: failure.reply,
      relay: attempt.relay,
      nextAttemptAt: null,
      dsn: dsnNotes.get(failure.recipient.id) ?? null,
    });
  }
  await recordAttempts(env.DB, records, attempt.now);
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
