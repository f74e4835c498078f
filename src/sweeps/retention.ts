/** How long the inbound log and finished deliveries are kept (LOG_RETENTION_DAYS). */

const DAY_MS = 86_400_000;
/** Inbound log and finished deliveries are kept this many days unless LOG_RETENTION_DAYS says otherwise. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;
/** Rows deleted per statement, so one sweep stays well inside a single invocation's limits. */
export const SWEEP_BATCH = 1000;

/** The ms epoch before which retained rows expire. */
export function retentionCutoff(env: Env, now: number): number {
  const days = env.LOG_RETENTION_DAYS ? Number(env.LOG_RETENTION_DAYS) : DEFAULT_LOG_RETENTION_DAYS;
  return now - (Number.isFinite(days) && days > 0 ? days : DEFAULT_LOG_RETENTION_DAYS) * DAY_MS;
}
