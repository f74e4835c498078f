/**
 * Per-user submission rate limit for POST /api/v1/send: a fixed one-hour window counted in D1
 * (shared by every isolate, like the authentication throttle). A stolen password must not turn
 * a domain into a spam cannon before anyone notices.
 */
import { deleteSendCountsBefore, incrementSendCount } from "../store/send-counts";

/** Default when SEND_RATE_PER_HOUR is unset: generous for a person, small for a spammer. */
export const DEFAULT_SEND_RATE_PER_HOUR = 100;
export const SEND_RATE_WINDOW_MS = 60 * 60_000;

export class SendRateConfigError extends Error {
  override name = "SendRateConfigError";
}

/** Reads the SEND_RATE_PER_HOUR var (a positive integer); a bad value is a configuration error. */
export function sendRatePerHour(env: object): number {
  const raw = (env as { SEND_RATE_PER_HOUR?: unknown }).SEND_RATE_PER_HOUR;
  if (raw === undefined || raw === "") return DEFAULT_SEND_RATE_PER_HOUR;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new SendRateConfigError(`SEND_RATE_PER_HOUR must be a positive integer, got "${String(raw)}"`);
  }
  return value;
}

/**
 * Takes one message from the user's allowance. Returns null when allowed, or the seconds until
 * the window ends when the user is over the limit.
 */
export async function takeSendAllowance(
  db: D1Database,
  userName: string,
  perHour: number,
  now = Date.now(),
): Promise<number | null> {
  const windowStart = now - (now % SEND_RATE_WINDOW_MS);
  const count = await incrementSendCount(db, userName, windowStart);
  if (count <= perHour) return null;
  return Math.max(1, Math.ceil((windowStart + SEND_RATE_WINDOW_MS - now) / 1000));
}

/** Deletes finished windows (for the scheduled sweep). */
export function pruneSendCounts(db: D1Database, now = Date.now()): D1PreparedStatement {
  return deleteSendCountsBefore(db, now - SEND_RATE_WINDOW_MS);
}
