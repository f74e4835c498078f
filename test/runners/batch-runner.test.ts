/**
 * The batch runner's policy, with a consumer declared in the test: what becomes of a message that
 * does not decode, of a job that throws, and of each outcome. The real consumers are covered
 * through queue() in test/deliver/consumer.test.ts and test/lists/.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidJobError, UnknownJobVersionError } from "../../src/core/jobs";
import { QUEUES } from "../../src/core/queues";
import worker from "../../src/index";
import { MAX_DELAY_SECONDS } from "../../src/runners/backoff";
import { type Consumer, type JobOutcome, runBatch } from "../../src/runners/batch-runner";

interface TestJob {
  messageLogId: string;
  outcome: JobOutcome | "throw";
}

function decode(body: unknown): TestJob {
  const job = body as Partial<TestJob> & { v?: number };
  if (job.v === 2) throw new UnknownJobVersionError("unknown job version 2");
  if (typeof job.messageLogId !== "string") throw new InvalidJobError("not a test job");
  return job as TestJob;
}

function testConsumer(overrides: Partial<Consumer<TestJob>> = {}) {
  const handled: { id: string; attempts: number; retryDelaySeconds: number | undefined }[] = [];
  const consumer: Consumer<TestJob> = {
    unit: "test",
    decode,
    backoff: (attempts) => attempts * 100,
    async handle(job, run) {
      handled.push({ id: job.messageLogId, ...run });
      if (job.outcome === "throw") throw new Error("D1 unavailable");
      return job.outcome;
    },
    ...overrides,
  };
  return { consumer, handled };
}

/** A batch whose messages record what the runner did with them, delays included. */
function batchOf(bodies: unknown[], attempts = 1) {
  const done: Record<string, { ack?: true; retry?: QueueRetryOptions | "default" }> = {};
  const messages = bodies.map((body, i) => {
    const id = `m${i}`;
    done[id] = {};
    return {
      id,
      timestamp: new Date(),
      attempts,
      body,
      ack: () => {
        done[id]!.ack = true;
      },
      retry: (options?: QueueRetryOptions) => {
        done[id]!.retry = options ?? "default";
      },
    };
  });
  const batch = { queue: "test", messages, ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>;
  return { batch, done };
}

/** The JSON log lines written to console.error. */
function errorLines(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("runBatch", () => {
  it("acks a job that succeeds", async () => {
    const { consumer, handled } = testConsumer();
    const { batch, done } = batchOf([{ messageLogId: "a", outcome: "done" }], 3);
    await runBatch(batch, consumer);
    expect(done).toEqual({ m0: { ack: true } });
    expect(handled).toEqual([{ id: "a", attempts: 3, retryDelaySeconds: 300 }]);
  });

  it("acks and logs a malformed job instead of retrying it forever", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { consumer, handled } = testConsumer();
    const { batch, done } = batchOf([{ nonsense: true }, "not even an object"]);
    await runBatch(batch, consumer);
    expect(done).toEqual({ m0: { ack: true }, m1: { ack: true } });
    expect(handled).toEqual([]);
    expect(errorLines(errors)).toMatchObject([
      { level: "error", stage: "queue", unit: "test", outcome: "malformed-job", messageId: "m0" },
      { level: "error", stage: "queue", unit: "test", outcome: "malformed-job", messageId: "m1" },
    ]);
  });

  it("keeps a job of an unknown version, retried as late as Queues allows", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { consumer } = testConsumer();
    const { batch, done } = batchOf([{ v: 2 }]);
    await runBatch(batch, consumer);
    expect(done).toEqual({ m0: { retry: { delaySeconds: MAX_DELAY_SECONDS } } });
  });

  it("retries a job that throws with the consumer's backoff, and logs it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { consumer } = testConsumer();
    const { batch, done } = batchOf([{ messageLogId: "a", outcome: "throw" }], 2);
    await runBatch(batch, consumer);
    expect(done).toEqual({ m0: { retry: { delaySeconds: 200 } } });
    expect(errorLines(errors)).toMatchObject([
      { stage: "queue", unit: "test", outcome: "job-error", messageId: "a", error: "D1 unavailable" },
    ]);
  });

  it("retries with the same delay it told the job, or Queues' default when the consumer has none", async () => {
    const { consumer, handled } = testConsumer();
    const first = batchOf([{ messageLogId: "a", outcome: "retry" }], 4);
    await runBatch(first.batch, consumer);
    expect(first.done).toEqual({ m0: { retry: { delaySeconds: 400 } } });
    expect(handled[0]!.retryDelaySeconds).toBe(400);

    const plain = testConsumer({ backoff: () => undefined });
    const second = batchOf([{ messageLogId: "b", outcome: "retry" }]);
    await runBatch(second.batch, plain.consumer);
    expect(second.done).toEqual({ m0: { retry: "default" } });
  });

  it("acks and logs a job the consumer drops", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { consumer } = testConsumer();
    const { batch, done } = batchOf([{ messageLogId: "a", outcome: { drop: new Error("list gone") } }]);
    await runBatch(batch, consumer);
    expect(done).toEqual({ m0: { ack: true } });
    expect(errorLines(errors)).toMatchObject([{ outcome: "dropped", messageId: "a", error: "list gone" }]);
  });

  it("handles each message once, at most `concurrency` at a time", async () => {
    let running = 0;
    let peak = 0;
    const { consumer, handled } = testConsumer({ concurrency: 2 });
    const handle = consumer.handle;
    consumer.handle = async (job, run) => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return handle(job, run);
    };
    const bodies = ["a", "b", "c", "d", "e"].map((id) => ({ messageLogId: id, outcome: "done" as const }));
    const { batch, done } = batchOf(bodies);
    await runBatch(batch, consumer);
    expect(peak).toBe(2);
    expect(handled.map((h) => h.id).sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(Object.values(done)).toEqual(bodies.map(() => ({ ack: true })));
  });
});

describe("queue()", () => {
  // Which consumer took the batch shows in the log unit of the malformed-job line.
  it.each([
    { queue: QUEUES.delivery, unit: "consumer" },
    { queue: QUEUES.deliveryDeadLetter, unit: "dead-letter" },
    { queue: QUEUES.fanout, unit: "fanout" },
  ])("runs $queue through its consumer ($unit)", async ({ queue, unit }) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const batch = createMessageBatch(queue, [{ id: "bad", timestamp: new Date(), attempts: 1, body: { v: 1 } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["bad"], retryMessages: [] });
    expect(errorLines(errors)).toMatchObject([{ unit, outcome: "malformed-job", messageId: "bad" }]);
  });
});
