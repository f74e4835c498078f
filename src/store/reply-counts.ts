/** Automatic replies per requester and fixed window (`reply_counts`); the policy lives in lists/. */

/** Adds one reply to the requester's window starting at `windowStart`; returns the new count. */
export async function incrementReplyCount(db: D1Database, requester: string, windowStart: number): Promise<number> {
  const row = await db
    .prepare(
      `INSERT INTO reply_counts (requester, window_start, count) VALUES (?1, ?2, 1)
       ON CONFLICT (requester, window_start) DO UPDATE SET count = count + 1
       RETURNING count`,
    )
    .bind(requester.toLowerCase(), windowStart)
    .first<{ count: number }>();
  return row?.count ?? 1;
}

/** Deletes windows that started before `cutoff`. */
export function deleteReplyCountsBefore(db: D1Database, cutoff: number): D1PreparedStatement {
  return db.prepare("DELETE FROM reply_counts WHERE window_start < ?1").bind(cutoff);
}
