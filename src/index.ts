/**
 * Facteur: one Worker. email() routes inbound mail, queue() delivers through the relay, fetch()
 * serves the admin API, scheduled() sweeps. Everything that touches the outside world (DNS, the
 * clock) is injected through createWorker(), so tests run the real entry points with a declared
 * DNS zone instead of mocking modules.
 */

import { createApp } from "./api";
import type { Resolver } from "./authenticate";
import { expireApiCounters } from "./credentials/expire-api-counters";
import { handleDeadLetterBatch, handleDeliveryBatch } from "./deliver/consumer";
import { failOrphanedDeliveries } from "./deliver/fail-orphaned-deliveries";
import type { DeliveryJob } from "./deliver/job";
import { createDohResolver } from "./dns/doh";
import { handleEmail, type InboundDeps } from "./inbound";
import { handleFanoutBatch } from "./lists/fanout";
import { sweepLists } from "./lists/moderation";
import { expireFinishedDeliveries, expireMessageLog, runSweeps, type Sweep } from "./scheduled";

export interface WorkerDeps extends InboundDeps {}

// A resolver per message, over the per-isolate answer cache (defaultDnsCache): answers are reused
// across messages for their TTL, but an in-flight query is never shared between two requests,
// because workerd cancels a fetch when the request that started it ends.
function dohResolverFor(env: Env): Resolver {
  return createDohResolver({ url: env.DOH_URL || "https://cloudflare-dns.com/dns-query" });
}

const DEAD_LETTER_QUEUE = "facteur-delivery-dlq";
const FANOUT_QUEUE = "facteur-fanout";

const listHousekeeping: Sweep = {
  name: "list-housekeeping",
  description: "expire held posts and confirmation tokens; score relay refusals of members' copies as bounces",
  run: async (env, now) => {
    const { expired, scored } = await sweepLists(env, now);
    return expired + scored;
  },
};

/** Sweeps run on every cron tick, in this order. */
const SWEEPS: readonly Sweep[] = [
  listHousekeeping, // moderation queue expiry, confirmation tokens, bounce scoring (lists)
  failOrphanedDeliveries, // rows queued by an email() whose queue send failed (the sender retried)
  expireMessageLog, // inbound log retention
  expireFinishedDeliveries, // finished delivery rows and the R2 bodies no queued row still needs
  expireApiCounters, // failed-auth throttle and send rate-limit windows that have passed
];

export function createWorker(overrides: Partial<WorkerDeps> = {}) {
  const deps: WorkerDeps = { resolverFor: dohResolverFor, now: () => Date.now(), ...overrides };
  // The Hono app is built once per isolate: route registration is not per-request work.
  const app = createApp();
  return {
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      return app.fetch(request, env, ctx);
    },

    async email(message: ForwardableEmailMessage, env: Env, _ctx: ExecutionContext): Promise<void> {
      await handleEmail(message, env, deps);
    },

    async queue(batch: MessageBatch<DeliveryJob>, env: Env, ctx: ExecutionContext): Promise<void> {
      // One Worker consumes three queues; the batch says which.
      if (batch.queue === FANOUT_QUEUE) await handleFanoutBatch(batch as MessageBatch<unknown>, env, ctx);
      else if (batch.queue === DEAD_LETTER_QUEUE) await handleDeadLetterBatch(batch, env, ctx);
      else await handleDeliveryBatch(batch, env, ctx);
    },

    async scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
      await runSweeps(env, controller.scheduledTime, SWEEPS);
    },
  } satisfies ExportedHandler<Env, DeliveryJob>;
}

export default createWorker();
