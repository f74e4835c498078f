/**
 * scheduled(): housekeeping sweeps, each a small named unit, run in order on every cron tick.
 * A sweep that fails is logged and the others still run; the next tick retries it.
 */
import { log, logError } from "./core/log";

export interface Sweep {
  readonly name: string;
  readonly description: string;
  run(env: Env, now: number): Promise<number>;
}

const DAY_MS = 86_400_000;
/** Inbound log and finished deliveries are kept this many days unless LOG_RETENTION_DAYS says otherwise. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;
/** Rows deleted per statement, so one sweep stays well inside a single invocation's limits. */
const SWEEP_BATCH = 1000;

function retentionDays(env: Env): number {
  const days = env.LOG_RETENTION_DAYS ? Number(env.LOG_RETENTION_DAYS) : DEFAULT_LOG_RETENTION_DAYS;
  return Number.isFinite(days) && days > 0 ? days : DEFAULT_LOG_RETENTION_DAYS;
}

export const expireMessageLog: Sweep = {
  name: "expire-message-log",
  description: "delete inbound log rows older than the retention period",
  async run(env, now) {
    const cutoff = now - retentionDays(env) * DAY_MS;
    const result = await env.DB.prepare(
      "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE received_at < ?1 LIMIT ?2)",
    )
      .bind(cutoff, SWEEP_BATCH)
      .run();
    return result.meta.changes ?? 0;
  },
};

export const expireFinishedDeliveries: Sweep = {
  name: "expire-finished-deliveries",
  description: "delete delivery rows in a final state older than the retention period, and their bodies",
  async run(env, now) {
    const cutoff = now - retentionDays(env) * DAY_MS;
    // A body is shared by every recipient of a message: delete it only when no row still uses it.
    const { results } = await env.DB.prepare(
      `SELECT DISTINCT r2_key FROM deliveries WHERE updated_at < ?1 AND status IN ('sent', 'bounced', 'failed')
         AND r2_key NOT IN (SELECT r2_key FROM deliveries WHERE status IN ('queued', 'deferred')) LIMIT ?2`,
    )
      .bind(cutoff, SWEEP_BATCH)
      .all<{ r2_key: string }>();
    if (results.length === 0) return 0;
    const keys = results.map((r) => r.r2_key);
    await env.MAIL.delete(keys);
    const deleted = await env.DB.prepare(
      "DELETE FROM deliveries WHERE r2_key IN (SELECT value FROM json_each(?1)) AND updated_at < ?2",
    )
      .bind(JSON.stringify(keys), cutoff)
      .run();
    return deleted.meta.changes ?? 0;
  },
};

export async function runSweeps(env: Env, now: number, sweeps: readonly Sweep[]): Promise<void> {
  for (const sweep of sweeps) {
    try {
      const count = await sweep.run(env, now);
      log({ stage: "scheduled", unit: sweep.name, outcome: "done", count });
    } catch (error) {
      logError({ stage: "scheduled", unit: sweep.name, outcome: "failed", error });
    }
  }
}
