/**
 * Webhook test plumbing: a webhook row with the receiver's secret, email() with a recording
 * webhook queue, and queue() runs of the recorded jobs as Queues would hand them over.
 */
import { env } from "cloudflare:test";
import { inject } from "vitest";
import { QUEUES } from "../../src/core/queues";
import type { WebhookJob } from "../../src/core/webhook-job";
import { createWorker, type WorkerDeps } from "../../src/index";
import { insertWebhook } from "../../src/store/webhooks";
import { sealWebhookSecret } from "../../src/webhooks/secret";
import { emailMessage } from "../helpers/email";
import { runQueueJobs } from "../helpers/queue-batch";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const zone: Zone = { "_dmarc.sender.test": { TXT: ["v=DMARC1; p=none"] } };

export function recordingWebhookQueue() {
  const jobs: WebhookJob[] = [];
  const queue = {
    jobs,
    async send(body: WebhookJob) {
      jobs.push(structuredClone(body));
    },
    async sendBatch(messages: Iterable<{ body: WebhookJob }>) {
      for (const m of messages) {
        if (JSON.stringify(m.body).length > 128 * 1024) throw new Error("message above 128 KB");
        jobs.push(structuredClone(m.body));
      }
    },
  };
  return queue;
}

export function hookEnv() {
  const queue = recordingWebhookQueue();
  return { env: { ...env, WEBHOOK_QUEUE: queue } as unknown as Env, jobs: queue.jobs };
}

export async function addWebhook(id: string, domain: string, alias: string | null, url: string): Promise<void> {
  const sealedSecret = await sealWebhookSecret(env, id, inject("webhookReceiver").secret);
  await insertWebhook(env.DB, { id, domain, alias, url, sealedSecret }).run();
}

/** email() for one message, as Email Routing calls it. */
export async function receive(testEnv: Env, raw: string, from: string, to: string) {
  const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
  const captured = emailMessage(raw, { from, to });
  await worker.email(captured.message, testEnv, {} as ExecutionContext);
  return captured;
}

/** Runs webhook jobs through queue() with `attempts` deliveries so far (1 = first). */
export async function runWebhookJobs(jobs: WebhookJob[], testEnv: Env, deps: Partial<WorkerDeps>, attempts = 1) {
  const { result, retries } = await runQueueJobs(QUEUES.webhooks, jobs, testEnv, deps, attempts, "wh");
  return { result, retries: retries.map((r) => r.delaySeconds) };
}

export interface Received {
  headers: Record<string, string>;
  body: string;
  verified: boolean;
  error: string | null;
}

export async function receivedBy(key: string): Promise<Received[]> {
  const response = await fetch(`${inject("webhookReceiver").baseUrl}/_control/requests?key=${key}`);
  return (await response.json()) as Received[];
}

export function hookUrl(key: string, script: string): string {
  return `${inject("webhookReceiver").baseUrl}/hook/${key}/${script}`;
}
