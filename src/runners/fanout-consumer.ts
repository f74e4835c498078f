/**
 * The fan-out consumer (queue `facteur-fanout`). Its messages are of two kinds (core/jobs.ts
 * FanoutQueueJob), both bulk work kept out of a single request (issue 10 item 12):
 *
 * - a page of a list's members, turned into delivery jobs by lists/fanout.ts;
 * - a page of double opt-in confirmations of a member import (lists/confirmation-pages.ts).
 *
 * A page whose list is gone is dropped; any other failure retries the page as a whole (re-running
 * either kind of page sends nothing twice).
 */
import type { FanoutQueueJob } from "../core/jobs";
import { parseConfirmationPageJob, sendConfirmationPage } from "../lists/confirmation-pages";
import { processFanoutPage } from "../lists/fanout";
import { InvalidFanoutJobError, parseFanoutJob } from "../lists/fanout-job";
import { fanoutRetryDelaySeconds } from "./backoff";
import type { Consumer } from "./batch-runner";
import type { QueueDeps } from "./queue-deps";

function decode(body: unknown): FanoutQueueJob {
  const kind = (body as { kind?: unknown } | null)?.kind;
  return kind === "confirmations" ? parseConfirmationPageJob(body) : parseFanoutJob(body);
}

export function fanoutConsumer(env: Env, deps: QueueDeps): Consumer<FanoutQueueJob> {
  return {
    unit: "fanout",
    decode,
    backoff: fanoutRetryDelaySeconds,
    async handle(job) {
      try {
        if ("kind" in job) await sendConfirmationPage(env, job, deps);
        else await processFanoutPage(env, job, deps);
        return "done";
      } catch (error) {
        if (error instanceof InvalidFanoutJobError) return { drop: error };
        throw error;
      }
    },
  };
}
