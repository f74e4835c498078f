/**
 * Issue 10 item 12 (invocation budgets): every sweep ran in one cron invocation, so a slow sweep
 * spent the budget of all the others. Now each sweep runs alone in a cron invocation of its own
 * (sweep i at minute 15k + i), and still every 15 minutes. Driven through scheduled().
 */
import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { SWEEPS } from "../../src/sweeps";
import { sweepCron } from "../../src/sweeps/schedule";
import type { Sweep } from "../../src/sweeps/sweep";
import wranglerToml from "../../wrangler.toml?raw";

const quarter = Date.parse("2026-12-01T10:00:00Z");
const minute = 60_000;

describe("sweep budgets (issue 10 item 12)", () => {
  it("a slow sweep does not share its cron invocation with the other sweeps: each runs alone, every 15 minutes", async () => {
    const ran: { minute: number; sweep: string; others: string[] }[] = [];
    let inFlight: string[] = [];
    const sweep = (name: string, work: () => Promise<void> = async () => {}): Sweep => ({
      name,
      description: name,
      async run() {
        ran.push({ minute: -1, sweep: name, others: [...inFlight] });
        inFlight.push(name);
        await work();
        return 0;
      },
    });
    // The hog uses up what one invocation may do (here: 300 D1 queries) before it returns.
    const hog = sweep("hog", async () => {
      for (let i = 0; i < 300; i++) await env.DB.prepare("SELECT 1").first();
    });
    const sweeps = [sweep("first"), hog, sweep("third"), sweep("fourth")];
    const worker = createWorker({ sweeps });
    const cron = sweepCron(sweeps.length);
    for (let m = 0; m < 30; m++) {
      inFlight = [];
      const before = ran.length;
      const at = quarter + m * minute;
      await worker.scheduled(createScheduledController({ scheduledTime: at, cron }), env, createExecutionContext());
      for (const r of ran.slice(before)) r.minute = m;
    }
    // Each invocation ran exactly one sweep, never after another one in the same invocation.
    expect(ran.every((r) => r.others.length === 0)).toBe(true);
    expect(ran.map((r) => `${r.minute}:${r.sweep}`)).toEqual([
      "0:first",
      "1:hog",
      "2:third",
      "3:fourth",
      "15:first",
      "16:hog",
      "17:third",
      "18:fourth",
    ]);
  });

  it("a manual trigger (no cron) still runs every sweep, and wrangler.toml's cron gives each of SWEEPS a slot", async () => {
    const ran: string[] = [];
    const sweeps = ["a", "b", "c"].map(
      (name): Sweep => ({
        name,
        description: name,
        run: async () => {
          ran.push(name);
          return 0;
        },
      }),
    );
    await createWorker({ sweeps }).scheduled(
      createScheduledController({ scheduledTime: quarter }),
      env,
      createExecutionContext(),
    );
    expect(ran).toEqual(["a", "b", "c"]);
    expect(wranglerToml).toContain(`crons = ["${sweepCron(SWEEPS.length)}"]`);
  });
});
