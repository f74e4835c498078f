/** Messages sent per user and fixed window (`send_counts`); the policy lives in credentials/. */

/** Adds one message to the user's window starting at `windowStart`; returns the new count. */
export async function incrementSendCount(db: D1Database, userName: string, windowStart: number): Promise<number> {
  const row = await db
    .prepare(
      `INSERT INTO send_counts (user_name, window_start, count) VALUES (?1, ?2, 1)
       ON CONFLICT (user_name, window_start) DO UPDATE SET count = count + 1
       RETURNING count`,
    )
    .bind(userName, windowStart)
    .first<{ count: number }>();
  return row?.count ?? 1;
}

/** Deletes windows that started before `cutoff`. */
export function deleteSendCountsBefore(db: D1Database, cutoff: number): D1PreparedStatement {
  return db.prepare("DELETE FROM send_counts WHERE window_start < ?1").bind(cutoff);
}
