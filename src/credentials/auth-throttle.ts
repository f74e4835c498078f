/**
 * Throttling of failed authentications per client (CF-Connecting-IP). Bots probe from the first
 * day (DESIGN.md), and POST /api/v1/send accepts passwords, which can be guessed.
 *
 * State lives in D1, not in isolate memory: a Worker runs as many isolates in many locations at
 * once, and a per-isolate counter would let a bot spread its guesses across them.
 */

/** Failed attempts allowed per client within one window before it is blocked. */
export const MAX_AUTH_FAILURES = 10;
/** Counting window: 10 failures in 15 minutes is more than a human mistyping a token. */
export const AUTH_FAILURE_WINDOW_MS = 15 * 60_000;
/** How long a client that exceeded the limit is refused, even with correct credentials. */
export const AUTH_BLOCK_MS = 15 * 60_000;

/** Seconds until the client may try again, or null when it is not blocked. */
export async function authRetryAfter(db: D1Database, client: string, now = Date.now()): Promise<number | null> {
  const row = await db
    .prepare("SELECT blocked_until FROM auth_failures WHERE client = ?1")
    .bind(client)
    .first<{ blocked_until: number | null }>();
  if (!row?.blocked_until || row.blocked_until <= now) return null;
  return Math.max(1, Math.ceil((row.blocked_until - now) / 1000));
}

/** Counts one failure; returns seconds to wait when this failure crossed the limit, else null. */
export async function recordAuthFailure(db: D1Database, client: string, now = Date.now()): Promise<number | null> {
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
    .bind(client, now, AUTH_FAILURE_WINDOW_MS, MAX_AUTH_FAILURES, AUTH_BLOCK_MS)
    .first<{ failures: number; blocked_until: number | null }>();
  if (!row?.blocked_until || row.blocked_until <= now) return null;
  return Math.max(1, Math.ceil((row.blocked_until - now) / 1000));
}

/** Deletes counters that no longer matter (for the scheduled sweep). */
export function pruneAuthFailures(db: D1Database, now = Date.now()): D1PreparedStatement {
  return db
    .prepare("DELETE FROM auth_failures WHERE window_start <= ?1 AND (blocked_until IS NULL OR blocked_until <= ?2)")
    .bind(now - AUTH_FAILURE_WINDOW_MS, now);
}
