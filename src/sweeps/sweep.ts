/**
 * A sweep: a small named unit of housekeeping that scheduled() runs on every cron tick, in the
 * order of SWEEPS (sweeps/index.ts). A sweep that fails is logged and the others still run; the
 * next tick retries it.
 */
import { log, logError } from "../core/log";

export interface Sweep {
  readonly name: string;
  readonly description: string;
  /** Returns how many rows (or objects) it changed, for the log. */
  run(env: Env, now: number): Promise<number>;
}

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
