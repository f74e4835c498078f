/**
 * Test bindings for the delivery tests. The real D1 and R2 are used; the queue producer is wrapped
 * so a test sees (and runs itself) the jobs that would go on DELIVERY_QUEUE, instead of the
 * Worker's background consumer picking them up.
 */
import { env } from "cloudflare:test";
import type { DeliveryJob } from "../../src/core/jobs";
import { QUEUES } from "../../src/core/queues";
import type { Envelope, RecipientOutcome, Relay } from "../../src/deliver/relay";
import type { WorkerDeps } from "../../src/index";
import { runQueueJobs } from "../helpers/queue-batch";

export interface RecordingQueue extends Queue<DeliveryJob> {
  jobs: DeliveryJob[];
  sendBatchCalls: number;
}

/** A queue producer that records jobs (and checks Queues' limits) without delivering them. */
export function recordingQueue(): RecordingQueue {
  const queue = {
    jobs: [] as DeliveryJob[],
    sendBatchCalls: 0,
    async send(body: DeliveryJob) {
      queue.jobs.push(structuredClone(body));
    },
    async sendBatch(messages: Iterable<MessageSendRequest<DeliveryJob>>) {
      const list = [...messages];
      if (list.length > 100) throw new Error(`sendBatch of ${list.length} messages: Queues allows 100`);
      const total = list.reduce((sum, m) => sum + JSON.stringify(m.body).length, 0);
      if (total > 256 * 1024) throw new Error(`sendBatch of ${total} bytes: Queues allows 256 KB`);
      for (const m of list) {
        if (JSON.stringify(m.body).length > 128 * 1024) throw new Error("message above 128 KB");
        queue.jobs.push(structuredClone(m.body));
      }
      queue.sendBatchCalls++;
    },
  };
  return queue as unknown as RecordingQueue;
}

/** env with a recording queue and any binding replaced. */
export function testEnv(overrides: Partial<Env> = {}): Env & { DELIVERY_QUEUE: RecordingQueue } {
  return { ...env, DELIVERY_QUEUE: recordingQueue(), ...overrides } as unknown as Env & {
    DELIVERY_QUEUE: RecordingQueue;
  };
}

/** A binding object whose every method rejects: an outage of R2, D1 or the queue. */
export function failingBinding<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, prop) => {
      if (prop === "then") return undefined;
      return () => {
        throw new Error(`${name} unavailable (${String(prop)})`);
      };
    },
  });
}

export type Script = (
  rcpt: string,
  attempt: number,
  envelope: Envelope,
) => RecipientOutcome["status"] | RecipientOutcome;

/** A relay that answers as the test declares, and records what it was given. */
export function scriptedRelay(script: Script, maxRecipients = 50) {
  const calls: { envelope: Envelope; raw: string }[] = [];
  const tries = new Map<string, number>();
  const relay: Relay = {
    name: "scripted",
    maxRecipients,
    async send(envelope, raw) {
      calls.push({ envelope, raw: new TextDecoder().decode(raw) });
      return envelope.rcptTo.map((rcpt) => {
        const n = (tries.get(rcpt) ?? 0) + 1;
        tries.set(rcpt, n);
        const answer = script(rcpt, n, envelope);
        if (typeof answer === "object") return answer;
        const reply = { sent: "250 2.0.0 Ok", temporary: "451 4.3.0 try later", permanent: "550 5.1.1 no such user" }[
          answer
        ];
        return { rcpt, status: answer, reply };
      });
    },
  };
  return { relay, calls };
}

/**
 * Runs jobs through the Worker's queue() as Queues would, with `attempts` deliveries so far
 * (1 = first), from `queue` (the delivery queue unless told).
 */
export function runJobs(
  jobs: DeliveryJob[],
  testEnvironment: Env,
  deps: Partial<WorkerDeps> = {},
  attempts = 1,
  queue: string = QUEUES.delivery,
) {
  return runQueueJobs(queue, jobs, testEnvironment, deps, attempts, "msg");
}

/** Unique addresses per test: files share one SMTP sink and rows are unique per (body, rcpt). */
export function uid(): string {
  return crypto.randomUUID().slice(0, 8);
}

export const ORIGINAL = [
  "From: Alice <alice@example.org>",
  "To: bob@facteur.test",
  "Subject: Quarterly numbers",
  "Message-ID: <original-1@example.org>",
  "Date: Wed, 25 Nov 2026 09:00:00 +0000",
  "",
  "Hello Bob,",
  ".leading dot line",
  "",
].join("\r\n");

export async function rows(messageLogId: string) {
  // The message's own deliveries; a DSN about it shares the message log id but has origin "dsn".
  const { results } = await env.DB.prepare(
    "SELECT * FROM deliveries WHERE message_log_id = ?1 AND origin != 'dsn' ORDER BY rcpt",
  )
    .bind(messageLogId)
    .all<Record<string, unknown>>();
  return results;
}
