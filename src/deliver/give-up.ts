/**
 * When delivery stops retrying a temporary failure and reports it as permanent: the give-up
 * horizon, counted from the first queueing (RFC 5321 section 4.5.4.1). The delay between
 * attempts is the runner's (runners/backoff.ts).
 */
export const DEFAULT_GIVE_UP_DAYS = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

/** GIVE_UP_DAYS in ms; a missing or unusable value falls back to 5 days (RFC 5321 section 4.5.4.1: "at least 4-5 days"). */
export function giveUpAfterMs(giveUpDays: string | undefined): number {
  const days = Number(giveUpDays);
  return (Number.isFinite(days) && days > 0 ? days : DEFAULT_GIVE_UP_DAYS) * DAY_MS;
}

/** True when a message queued at `queuedAt` has been retried long enough. */
export function pastGiveUpHorizon(queuedAt: number, now: number, giveUpMs: number): boolean {
  return now - queuedAt >= giveUpMs;
}
