/** delay_warnings (migrations/0017): one delayed-delivery DSN per message and sender. */

/** True when this call took the (message, sender) slot: only then is the warning queued. */
export async function claimDelayWarning(
  db: D1Database,
  warning: { messageLogId: string; sender: string; r2Key: string; now: number },
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO delay_warnings (message_log_id, sender, r2_key, created_at) VALUES (?, lower(?), ?, ?)
       ON CONFLICT DO NOTHING`,
    )
    .bind(warning.messageLogId, warning.sender, warning.r2Key, warning.now)
    .run();
  return result.meta.changes > 0;
}

/** Gives the slot back when the warning could not be queued: the next attempt tries again. */
export async function releaseDelayWarning(db: D1Database, messageLogId: string, sender: string): Promise<void> {
  await db
    .prepare("DELETE FROM delay_warnings WHERE message_log_id = ? AND sender = lower(?)")
    .bind(messageLogId, sender)
    .run();
}
