// A provider's Retry-After (HTTP 429) lengthens the consumer's backoff for the job, never shortens it.
import { describe, expect, it } from "vitest";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { ORIGINAL, rows, runJobs, scriptedRelay, testEnv, uid } from "./helpers";

async function deferredWith(retryAfterSeconds: number) {
  const e = testEnv();
  const id = `m-${uid()}`;
  const rcpt = `r-${uid()}@example.net`;
  await enqueueDelivery(e, {
    origin: "alias",
    messageLogId: id,
    raw: ORIGINAL.replace("<original-1@example.org>", `<${id}@example.org>`),
    mailFrom: "alice@example.org",
    recipients: [rcpt],
    domain: "facteur.test",
    senderAuthenticated: true,
  });
  const { relay } = scriptedRelay(() => ({
    rcpt,
    status: "temporary",
    reply: "451 4.0.0 Mailgun HTTP 429: Too many requests",
    retryAfterSeconds,
  }));
  const run = await runJobs(e.DELIVERY_QUEUE.jobs.splice(0), e, { relayFor: async () => relay, random: () => 0.5 });
  return { run, row: (await rows(id))[0]! };
}

describe("Retry-After", () => {
  it("a Retry-After longer than the backoff sets the retry delay and next_attempt_at", async () => {
    const before = Date.now();
    const { run, row } = await deferredWith(900);
    expect(run.retries).toEqual([{ msgId: run.ids[0], delaySeconds: 900 }]);
    expect(row.status).toBe("deferred");
    expect(Number(row.next_attempt_at)).toBeGreaterThanOrEqual(before + 900_000);
  });

  it("a shorter Retry-After keeps the backoff (60 s for the first attempt)", async () => {
    const { run } = await deferredWith(5);
    expect(run.retries).toEqual([{ msgId: run.ids[0], delaySeconds: 60 }]);
  });
});
