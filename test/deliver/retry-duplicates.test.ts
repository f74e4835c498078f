/**
 * Issue 10 item 7: a redelivered batch after a mid-batch failure sends nothing twice. The
 * consumer used to queue the DSNs before recording the attempt, so a failing DSN enqueue threw
 * away the record of every copy already sent, and Queues' redelivery sent them again. Messages
 * are counted at the real SMTP sink; the batch runs through the Worker's queue().
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DeliveryJob } from "../../src/core/jobs";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { address, received, relayTo } from "../relays/sink";
import { ORIGINAL, recordingQueue, rows, runJobs, testEnv, uid } from "./helpers";

async function enqueue(recipients: string[]) {
  const e = testEnv();
  const id = `m-${uid()}`;
  await enqueueDelivery(e, {
    origin: "alias",
    messageLogId: id,
    raw: ORIGINAL,
    mailFrom: "alice@example.org",
    recipients,
    domain: "facteur.test",
    senderAuthenticated: true,
  });
  return { id, jobs: e.DELIVERY_QUEUE.jobs.splice(0) };
}

/** A delivery queue whose sendBatch (the DSN's enqueue) fails the first `failures` times. */
function flakyQueue(failures: number) {
  const queue = recordingQueue();
  const sendBatch = queue.sendBatch.bind(queue);
  let left = failures;
  queue.sendBatch = async (messages: Iterable<MessageSendRequest<DeliveryJob>>) => {
    if (left-- > 0) throw new Error("queue unavailable");
    return sendBatch(messages);
  };
  return queue;
}

describe("redelivery after a mid-batch failure", () => {
  it("a DSN that cannot be queued neither loses the attempt records nor makes the retried batch send copies twice", async () => {
    const [ok1, ok2, ok3, gone] = [address("ok"), address("ok"), address("ok"), address("reject550")];
    const first = await enqueue([ok1!, ok2!, gone!]);
    const second = await enqueue([ok3!]);
    const jobs = [...first.jobs, ...second.jobs];
    const queue = flakyQueue(1);
    const e = { ...env, DELIVERY_QUEUE: queue } as unknown as Env;
    const deps = { relayFor: async () => relayTo("plain") };

    const run1 = await runJobs(jobs, e, deps, 1);
    expect(run1.result.retryMessages.length).toBeGreaterThanOrEqual(1);
    // The sent copies are recorded although the DSN failed; the refused recipient stays to be
    // tried (and refused) again, so that its row only becomes final once its report is queued.
    expect((await rows(first.id)).map((r) => [r.rcpt, r.status])).toEqual(
      [
        [ok1, "sent"],
        [ok2, "sent"],
        [gone, "queued"],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    // Queues redelivers the whole batch.
    const run2 = await runJobs(jobs, e, deps, 2);
    expect(run2.result.retryMessages).toEqual([]);
    for (const rcpt of [ok1, ok2, ok3]) expect(await received(rcpt!)).toHaveLength(1);
    // The DSN went out once, on the retry, and the bounced row says so.
    expect(queue.jobs.filter((j) => j.origin === "dsn")).toHaveLength(1);
    const bounced = (await rows(first.id)).find((r) => r.rcpt === gone);
    expect(String(bounced?.dsn)).toMatch(/^queued:/);
  });
});
