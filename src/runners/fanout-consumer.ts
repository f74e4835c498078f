/**
 * The fan-out consumer (queue `facteur-fanout`): each message is one page of a list's members,
 * turned into delivery jobs by lists/fanout.ts. A page whose list is gone is dropped; any other
 * failure retries the page as a whole (re-running a page is harmless, see lists/fanout.ts).
 */
import type { FanoutJob } from "../core/jobs";
import { processFanoutPage } from "../lists/fanout";
import { InvalidFanoutJobError, parseFanoutJob } from "../lists/fanout-job";
import { fanoutRetryDelaySeconds } from "./backoff";
import type { Consumer } from "./batch-runner";
import type { QueueDeps } from "./queue-deps";

export function fanoutConsumer(env: Env, deps: QueueDeps): Consumer<FanoutJob> {
  return {
    unit: "fanout",
    decode: parseFanoutJob,
    backoff: fanoutRetryDelaySeconds,
    async handle(job) {
      try {
        await processFanoutPage(env, job, deps);
        return "done";
      } catch (error) {
        if (error instanceof InvalidFanoutJobError) return { drop: error };
        throw error;
      }
    },
  };
}
