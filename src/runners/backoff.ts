/**
 * When a job runs again after a temporary failure (the batch runner's retry delays).
 *
 * Delivery: RFC 5321 section 4.5.4.1 says "the retry interval SHOULD be at least 30 minutes" for
 * a general MTA, but a first quick retry catches greylisting and brief relay hiccups, so the
 * schedule starts at one minute and grows to hours, like Postfix's minimal/maximal_backoff_time.
 */

/** Delay before attempt n+1 after n failed attempts (index n-1), in seconds. */
export const BACKOFF_SCHEDULE_SECONDS = [60, 5 * 60, 15 * 60, 60 * 60, 4 * 60 * 60, 8 * 60 * 60] as const;

/** Queues refuses a `delaySeconds` above 12 hours (DESIGN.md, outbound limits). */
export const MAX_DELAY_SECONDS = 12 * 60 * 60;

/**
 * Jitter spreads retries of many recipients that failed together (a relay outage), so they do not
 * all come back in the same second. ±20% of the delay.
 */
export const JITTER_FRACTION = 0.2;

/**
 * Seconds to wait after `failedAttempts` failures (1 = the first attempt failed).
 * `random` is injected (a number in [0, 1)) so tests are deterministic.
 */
export function backoffDelaySeconds(failedAttempts: number, random: () => number = Math.random): number {
  const index = Math.max(0, failedAttempts - 1);
  const base = BACKOFF_SCHEDULE_SECONDS[index] ?? MAX_DELAY_SECONDS;
  const jitter = 1 + JITTER_FRACTION * (2 * random() - 1);
  return Math.max(1, Math.min(MAX_DELAY_SECONDS, Math.round(base * jitter)));
}

/**
 * Delay before a fan-out page that failed (D1, R2, the key store or the delivery queue) runs
 * again: 20 s after the first failure, doubling up to 5 minutes.
 */
export function fanoutRetryDelaySeconds(attempts: number): number {
  return Math.min(300, 10 * 2 ** Math.min(attempts, 5));
}

/**
 * Webhook retries: sooner than mail at first (a receiver restarting is back in seconds), then the
 * same hours-long tail; Standard Webhooks suggests a schedule of this shape.
 */
export const WEBHOOK_BACKOFF_SECONDS = [5, 5 * 60, 30 * 60, 2 * 60 * 60, 5 * 60 * 60, 10 * 60 * 60] as const;

export function webhookBackoffSeconds(failedAttempts: number, random: () => number = Math.random): number {
  const base = WEBHOOK_BACKOFF_SECONDS[Math.max(0, failedAttempts - 1)] ?? MAX_DELAY_SECONDS;
  const jitter = 1 + JITTER_FRACTION * (2 * random() - 1);
  return Math.max(1, Math.min(MAX_DELAY_SECONDS, Math.round(base * jitter)));
}
