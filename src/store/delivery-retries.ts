/**
 * An operator's second chance for one delivery row (store/deliveries.ts holds the rows' life):
 * a deferred row is made due now, a failed one is reopened as queued. Each is a conditional
 * UPDATE, so a row that moved on meanwhile (delivered, given up) is left as it is and the caller
 * learns it from the `false`.
 */

/**
 * A row waiting for its retry (deferred, relay-error) becomes due now. Its delayed job stays in
 * the queue; whichever job runs second finds the row final and sends nothing (deliver-job.ts).
 */
export async function markDeliveryDueNow(db: D1Database, id: string, now: number): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE deliveries SET next_attempt_at = ?2, updated_at = ?2
       WHERE id = ?1 AND status IN ('deferred', 'relay-error')`,
    )
    .bind(id, now)
    .run();
  return (result.meta.changes ?? 0) > 0;
}

/**
 * A failed row is queued again. enqueued_at is cleared so that, if the new job never reaches
 * the queue, the orphan sweep (sweeps/requeue-orphaned-deliveries.ts) sends it instead of the
 * row being stuck queued.
 */
export async function reopenFailedDelivery(db: D1Database, id: string, now: number): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE deliveries SET status = 'queued', next_attempt_at = NULL, enqueued_at = NULL, updated_at = ?2
       WHERE id = ?1 AND status = 'failed'`,
    )
    .bind(id, now)
    .run();
  return (result.meta.changes ?? 0) > 0;
}
