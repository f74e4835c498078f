/**
 * Facteur: one Worker. email() routes inbound mail, queue() delivers through the relay, fetch()
 * serves the admin API, scheduled() sweeps. Everything that touches the outside world (DNS, the
 * clock) is injected through createWorker(), so tests run the real entry points with a declared
 * DNS zone instead of mocking modules.
 */

import { createApp } from "./api";
import { inProcessCaller } from "./api/in-process";
import type { Resolver } from "./authenticate";
import { createDohResolver } from "./dns/doh";
import { handleEmail, type InboundDeps } from "./inbound";
import { dispatchQueue } from "./runners/dispatch-queue";
import type { QueueDeps } from "./runners/queue-deps";
import { SWEEPS } from "./sweeps";
import { sweepsDue } from "./sweeps/schedule";
import { runSweeps, type Sweep } from "./sweeps/sweep";
import { createWeb } from "./web";

export interface WorkerDeps extends InboundDeps, QueueDeps {
  now(): number;
  /** The sweeps scheduled() runs (tests replace them). */
  sweeps?: readonly Sweep[];
}

// A resolver per message, over the per-isolate answer cache (defaultDnsCache): answers are reused
// across messages for their TTL, but an in-flight query is never shared between two requests,
// because workerd cancels a fetch when the request that started it ends.
function dohResolverFor(env: Env): Resolver {
  return createDohResolver({ url: env.DOH_URL || "https://cloudflare-dns.com/dns-query" });
}

export function createWorker(overrides: Partial<WorkerDeps> = {}) {
  const deps: WorkerDeps = { resolverFor: dohResolverFor, now: () => Date.now(), ...overrides };
  // The Hono app is built once per isolate: route registration is not per-request work.
  const app = createApp({ resolverFor: deps.resolverFor });
  // The web interface (/admin) acts through the same app, in-process, as the signed-in principal.
  const web = createWeb({ callerFor: (env, ctx) => inProcessCaller(app, env, ctx) });
  return {
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      const path = new URL(request.url).pathname;
      if (path === "/admin" || path.startsWith("/admin/")) return web.fetch(request, env, ctx);
      return app.fetch(request, env, ctx);
    },

    async email(message: ForwardableEmailMessage, env: Env, _ctx: ExecutionContext): Promise<void> {
      await handleEmail(message, env, deps);
    },

    async queue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
      await dispatchQueue(batch, env, deps);
    },

    async scheduled(controller: ScheduledController, env: Env, _ctx: ExecutionContext): Promise<void> {
      // One sweep per invocation under the sweep cron (sweeps/schedule.ts), each with its own budget.
      const sweeps = deps.sweeps ?? SWEEPS;
      await runSweeps(env, controller.scheduledTime, sweepsDue(controller.cron, controller.scheduledTime, sweeps));
    },
  } satisfies ExportedHandler<Env, unknown>;
}

export default createWorker();
