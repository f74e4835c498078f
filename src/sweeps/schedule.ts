/**
 * Issue 10 item 12: every sweep used to run in the same cron invocation, so one slow sweep (a
 * backlog of rows, a slow R2 delete) spent the subrequest and CPU budget of all the others. Now one
 * cron trigger fires once a minute for the first SWEEPS.length minutes of each quarter hour, and
 * sweep i runs alone at minute 15k + i: each sweep has an invocation, and a budget, of its own, and
 * still runs every 15 minutes. Each sweep is already a bounded page (SWEEP_BATCH) that the next
 * tick resumes.
 *
 * Any other cron (an older wrangler.toml, `wrangler dev --test-scheduled`, a manual trigger with
 * an empty cron) runs every sweep, as before.
 */
import type { Sweep } from "./sweep";

export const SWEEP_PERIOD_MINUTES = 15;

/** The cron expression for `n` sweeps: minutes 0..n-1 of every quarter hour (wrangler.toml [triggers]). */
export function sweepCron(n: number): string {
  const slots = Math.min(n, SWEEP_PERIOD_MINUTES);
  const ranges = [0, 15, 30, 45].map((start) => (slots === 1 ? `${start}` : `${start}-${start + slots - 1}`));
  return `${ranges.join(",")} * * * *`;
}

/** The sweeps this tick runs: the one of this minute's slot under the sweep cron, else all. */
export function sweepsDue(cron: string, scheduledTime: number, sweeps: readonly Sweep[]): readonly Sweep[] {
  if (cron !== sweepCron(sweeps.length)) return sweeps;
  const slot = new Date(scheduledTime).getUTCMinutes() % SWEEP_PERIOD_MINUTES;
  return sweeps.filter((_, i) => i % SWEEP_PERIOD_MINUTES === slot);
}
