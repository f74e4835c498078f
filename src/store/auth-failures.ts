/** Failed-authentication counters per client (`auth_failures`); the policy lives in credentials/. */

export interface AuthFailureWindow {
  /** Length of the counting window. */
  windowMs: number;
  /** Failures within one window that block the client. */
  maxFailures: number;
  /** How long a blocked client is refused. */
  blockMs: number;
}

/** When the client's block ends, or null when it has never been blocked. */
export async function findAuthBlockedUntil(db: D1Database, client: string): Promise<number | null> {
  const row = await db
    .prepare("SELECT blocked_until FROM auth_failures WHERE client = ?1")
    .bind(client)
    .first<{ blocked_until: number | null }>();
  return row?.blocked_until ?? null;
}

/**
 * Counts one failure, starting a new window when the last one is over, and blocks the client when
 * the count reaches `maxFailures`. Returns when the block ends, or null when it is not blocked.
 */
export async function incrementAuthFailures(
  db: D1Database,
  client: string,
  policy: AuthFailureWindow,
  now: number,
): Promise<number | null> {
  // All SET expressions read the old row (SQLite UPDATE semantics), so "expired" is computed once
  // per expression from the same values.
  const row = await db
    .prepare(
      `INSERT INTO auth_failures (client, failures, window_start, blocked_until) VALUES (?1, 1, ?2, NULL)
       ON CONFLICT (client) DO UPDATE SET
         failures = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE failures + 1 END,
         window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END,
         blocked_until = CASE
           WHEN (CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE failures + 1 END) >= ?4 THEN ?2 + ?5
           ELSE blocked_until END
       RETURNING failures, blocked_until`,
    )
    .bind(client, now, policy.windowMs, policy.maxFailures, policy.blockMs)
    .first<{ failures: number; blocked_until: number | null }>();
  return row?.blocked_until ?? null;
}

/** Deletes counters whose window started before `windowStartBefore` and whose block (if any) ended by `now`. */
export function deleteAuthFailures(db: D1Database, windowStartBefore: number, now: number): D1PreparedStatement {
  return db
    .prepare("DELETE FROM auth_failures WHERE window_start <= ?1 AND (blocked_until IS NULL OR blocked_until <= ?2)")
    .bind(windowStartBefore, now);
}
