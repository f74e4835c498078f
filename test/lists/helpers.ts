/**
 * Mailing-list test fixtures: a list domain whose DKIM key comes from the real key store
 * (src/auth/dkim-keys.ts) and is published in a declared DNS zone, a relay pointing at the real
 * SMTP sink, recording queues (the test runs the fan-out and delivery consumers itself).
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import type { DeliveryJob, FanoutJob } from "../../src/core/jobs";
import { createDkimKey, dkimTxt } from "../../src/credentials/dkim-keys";
import worker from "../../src/index";
import { insertList, type NewList } from "../../src/store/lists";
import { type NewMember, upsertMember } from "../../src/store/members";
import { runJobs } from "../deliver/helpers";
import { sink } from "../relays/sink";
import type { Zone } from "../support/dns/zone";

export interface RecordingQueue<T> extends Queue<T> {
  jobs: T[];
}

export function recordingQueue<T>(): RecordingQueue<T> {
  const queue = {
    jobs: [] as T[],
    async send(body: T) {
      queue.jobs.push(structuredClone(body));
    },
    async sendBatch(messages: Iterable<MessageSendRequest<T>>) {
      const list = [...messages];
      if (list.length > 100) throw new Error(`sendBatch of ${list.length} messages: Queues allows 100`);
      for (const m of list) {
        if (JSON.stringify(m.body).length > 128 * 1024) throw new Error("queue message above 128 KB");
        queue.jobs.push(structuredClone(m.body));
      }
    },
  };
  return queue as unknown as RecordingQueue<T>;
}

export type ListTestEnv = Env & {
  FANOUT_QUEUE: RecordingQueue<FanoutJob>;
  DELIVERY_QUEUE: RecordingQueue<DeliveryJob>;
};

export function listEnv(overrides: Partial<Env> = {}): ListTestEnv {
  return {
    ...env,
    FANOUT_QUEUE: recordingQueue<FanoutJob>(),
    DELIVERY_QUEUE: recordingQueue<DeliveryJob>(),
    PUBLIC_URL: "https://lists.facteur.test",
    ...overrides,
  } as unknown as ListTestEnv;
}

export function uid(): string {
  return crypto.randomUUID().slice(0, 8);
}

/** A domain of ours with a DKIM key in the key store (published in `zone`) and the sink as relay. */
export async function listDomain(zone: Zone, name = `lists-${uid()}.test`): Promise<string> {
  const now = Date.now();
  const url = `smtp://${sink.user}:${sink.password}@127.0.0.1:${sink.plainPort}`;
  await env.DB.prepare(
    "INSERT INTO domains (name, enabled, relay_url, created_at, updated_at) VALUES (?1, 1, ?2, ?3, ?3)",
  )
    .bind(name, url, now)
    .run();
  const key = await createDkimKey(env, { domain: name, selector: "list1", type: "rsa" }, now);
  if (!key) throw new Error("key not created");
  zone[`list1._domainkey.${name}`] = { TXT: [dkimTxt(key)] };
  // The list domain's own DMARC policy: the rewritten From must pass it through the list's DKIM.
  zone[`_dmarc.${name}`] = { TXT: ["v=DMARC1; p=reject"] };
  return name;
}

export async function createList(list: NewList, members: NewMember[] = []): Promise<void> {
  await insertList(env.DB, list).run();
  const statements = members.map((m) => upsertMember(env.DB, list.address, m));
  for (let i = 0; i < statements.length; i += 500) await env.DB.batch(statements.slice(i, i + 500));
}

/** Runs every queued fan-out job through the Worker's queue() (as Queues would), then returns the delivery jobs. */
export async function runFanout(e: ListTestEnv): Promise<{ pages: number; deliveryJobs: DeliveryJob[] }> {
  let pages = 0;
  while (e.FANOUT_QUEUE.jobs.length > 0) {
    const jobs = e.FANOUT_QUEUE.jobs.splice(0);
    pages += jobs.length;
    const batch = createMessageBatch<FanoutJob>(
      "facteur-fanout",
      jobs.map((body, i) => ({ id: `fan-${uid()}-${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, e, ctx);
    const result = await getQueueResult(batch, ctx);
    if (result.retryMessages.length > 0) throw new Error(`fan-out retried ${result.retryMessages.length} page(s)`);
  }
  return { pages, deliveryJobs: e.DELIVERY_QUEUE.jobs.splice(0) };
}

/** Delivers queued jobs through the real consumer and relay (the SMTP sink). */
export async function deliverAll(e: ListTestEnv, jobs: DeliveryJob[]) {
  for (let i = 0; i < jobs.length; i += 10) await runJobs(jobs.slice(i, i + 10), e);
}
