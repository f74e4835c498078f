/**
 * Issue 10 item 9: the orphan sweep lost mail. It failed every row queued and untried for a day,
 * including rows whose job was still in the queue (a consumer outage, a backlog). Now rows are
 * marked once their sendBatch succeeds; the sweep re-queues only rows never enqueued, and a
 * separate sweep closes waiting rows whose retry is long overdue. Driven through scheduled().
 */
import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { createWorker } from "../../src/index";
import { failingBinding, ORIGINAL, rows, runJobs, scriptedRelay, testEnv, uid } from "../deliver/helpers";

const DAY = 86_400_000;
const worker = createWorker();

async function scheduled(e: Env, now = Date.now()) {
  await worker.scheduled(createScheduledController({ scheduledTime: now }), e, createExecutionContext());
}

function request(id: string, recipients: string[]) {
  return {
    origin: "alias" as const,
    messageLogId: id,
    raw: ORIGINAL,
    mailFrom: "alice@example.org",
    recipients,
    domain: "facteur.test",
    senderAuthenticated: true,
  };
}

async function age(id: string, ms: number) {
  await env.DB.prepare("UPDATE deliveries SET created_at = created_at - ?1 WHERE message_log_id = ?2")
    .bind(ms, id)
    .run();
}

describe("orphaned and stale delivery rows", () => {
  it("a row whose job is in the queue is not failed by the sweep, however long a consumer outage lasts", async () => {
    const e = testEnv();
    const id = `m-${uid()}`;
    await enqueueDelivery(e, request(id, ["waiting@dest.example"]));
    await age(id, 3 * DAY);
    await scheduled(e);
    expect((await rows(id)).map((r) => r.status)).toEqual(["queued"]);
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(1); // only its own job: nothing re-queued
  });

  it("a row whose job never reached the queue is re-queued by the sweep and delivered, not failed", async () => {
    const down = testEnv({ DELIVERY_QUEUE: failingBinding<Queue>("DELIVERY_QUEUE") });
    const id = `m-${uid()}`;
    await expect(enqueueDelivery(down, request(id, ["orphan@dest.example"]))).rejects.toThrow(/unavailable/);
    await age(id, 2 * 60 * 60 * 1000);
    const e = testEnv();
    await scheduled(e);
    const [row] = await rows(id);
    expect([row?.status, row?.enqueued_at === null]).toEqual(["queued", false]);
    expect(e.DELIVERY_QUEUE.jobs.map((j) => j.recipients.map((r) => r.rcpt))).toEqual([["orphan@dest.example"]]);
    const { relay, calls } = scriptedRelay(() => "sent");
    await runJobs(e.DELIVERY_QUEUE.jobs, e, { relayFor: async () => relay });
    expect(calls).toHaveLength(1);
    expect((await rows(id))[0]?.status).toBe("sent");
    // Once re-queued, a later sweep leaves it alone.
    const again = testEnv();
    await scheduled(again);
    expect(again.DELIVERY_QUEUE.jobs.filter((j) => j.messageLogId === id)).toHaveLength(0);
  });

  it("a deferred row whose retry is long overdue (its job is gone) is closed as failed", async () => {
    const e = testEnv();
    const id = `m-${uid()}`;
    await enqueueDelivery(e, request(id, ["stale@dest.example"]));
    const now = Date.now();
    await env.DB.prepare(
      "UPDATE deliveries SET status = 'deferred', attempts = 3, next_attempt_at = ?1, created_at = ?2 WHERE message_log_id = ?3",
    )
      .bind(now - 2 * DAY, now - 8 * DAY, id)
      .run();
    await scheduled(e, now);
    const [row] = await rows(id);
    expect(row?.status).toBe("failed");
    expect(String(row?.last_reply)).toMatch(/retry never came/);
  });
});
