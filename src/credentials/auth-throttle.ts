/**
 * Throttling of failed authentications per client (CF-Connecting-IP). Bots probe from the first
 * day (DESIGN.md), and POST /api/v1/send accepts passwords, which can be guessed.
 *
 * State lives in D1, not in isolate memory: a Worker runs as many isolates in many locations at
 * once, and a per-isolate counter would let a bot spread its guesses across them.
 */
import { deleteAuthFailures, findAuthBlockedUntil, incrementAuthFailures } from "../store/auth-failures";

/** Failed attempts allowed per client within one window before it is blocked. */
export const MAX_AUTH_FAILURES = 10;
/** Counting window: 10 failures in 15 minutes is more than a human mistyping a token. */
export const AUTH_FAILURE_WINDOW_MS = 15 * 60_000;
/** How long a client that exceeded the limit is refused, even with correct credentials. */
export const AUTH_BLOCK_MS = 15 * 60_000;

/**
 * Failed Basic logins allowed per user name within one window, from all clients together: more
 * than a client's budget (several devices mistyping) yet few enough that guesses spread over many
 * networks stay at about 2,000 a day. While blocked the account's password is refused even when
 * right (else the guessing would go on); its API tokens keep working.
 */
export const MAX_ACCOUNT_FAILURES = 20;

const POLICY = { windowMs: AUTH_FAILURE_WINDOW_MS, maxFailures: MAX_AUTH_FAILURES, blockMs: AUTH_BLOCK_MS };
const ACCOUNT_POLICY = { ...POLICY, maxFailures: MAX_ACCOUNT_FAILURES };

function secondsUntil(blockedUntil: number | null, now: number): number | null {
  if (!blockedUntil || blockedUntil <= now) return null;
  return Math.max(1, Math.ceil((blockedUntil - now) / 1000));
}

/** Seconds until the client may try again, or null when it is not blocked. */
export async function authRetryAfter(db: D1Database, client: string, now = Date.now()): Promise<number | null> {
  return secondsUntil(await findAuthBlockedUntil(db, client), now);
}

/** Counts one failure; returns seconds to wait when this failure crossed the limit, else null. */
export async function recordAuthFailure(db: D1Database, client: string, now = Date.now()): Promise<number | null> {
  return secondsUntil(await incrementAuthFailures(db, client, POLICY, now), now);
}

/** Seconds until the account (throttle-keys.ts accountThrottleKey) may try again, or null. */
export async function accountRetryAfter(db: D1Database, account: string, now = Date.now()): Promise<number | null> {
  return secondsUntil(await findAuthBlockedUntil(db, account), now);
}

/** Counts one failure against an account; returns seconds to wait when it crossed the limit. */
export async function recordAccountFailure(db: D1Database, account: string, now = Date.now()): Promise<number | null> {
  return secondsUntil(await incrementAuthFailures(db, account, ACCOUNT_POLICY, now), now);
}

/** Deletes counters that no longer matter (for the scheduled sweep). */
export function pruneAuthFailures(db: D1Database, now = Date.now()): D1PreparedStatement {
  return deleteAuthFailures(db, now - AUTH_FAILURE_WINDOW_MS, now);
}
