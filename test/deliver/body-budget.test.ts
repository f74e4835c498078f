/**
 * Issue 10 item 7 (memory): the delivery consumer ran up to four jobs of a batch at once whatever
 * their size, so four 25 MiB bodies (and their copies) were in memory together. Now the jobs of
 * one batch share a budget of body bytes: large bodies go one at a time, small ones still go four
 * at once. Driven through queue() with real R2 and D1, the relay injected to watch concurrency.
 */
import { describe, expect, it } from "vitest";
import type { DeliveryJob } from "../../src/core/jobs";
import { BODY_BYTES_IN_FLIGHT } from "../../src/deliver/body-budget";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import type { Relay } from "../../src/deliver/relay";
import { CONCURRENT_JOBS } from "../../src/runners/delivery-consumer";
import { runJobs, testEnv, uid } from "./helpers";

const MiB = 1024 * 1024;

/** A relay that takes 50 ms per send and records the body bytes it holds at the same time. */
function watchingRelay() {
  let bytes = 0;
  let sends = 0;
  const seen = { maxBytes: 0, maxSends: 0 };
  const relay: Relay = {
    name: "watching",
    maxRecipients: 50,
    async send(envelope, raw) {
      bytes += raw.byteLength;
      sends++;
      seen.maxBytes = Math.max(seen.maxBytes, bytes);
      seen.maxSends = Math.max(seen.maxSends, sends);
      await new Promise((resolve) => setTimeout(resolve, 50));
      bytes -= raw.byteLength;
      sends--;
      return envelope.rcptTo.map((rcpt) => ({ rcpt, status: "sent" as const, reply: "250 2.0.0 Ok" }));
    },
  };
  return { relay, seen };
}

async function jobsOfSize(e: ReturnType<typeof testEnv>, count: number, size: number): Promise<DeliveryJob[]> {
  for (let i = 0; i < count; i++) {
    const header = `From: a@example.org\r\nTo: b@example.net\r\nSubject: big ${i}\r\nMessage-ID: <${uid()}@example.org>\r\n\r\n`;
    const raw = `${header}${"x".repeat(size - header.length - 2)}\r\n`;
    await enqueueDelivery(e, {
      origin: "alias",
      messageLogId: `big-${uid()}`,
      raw,
      mailFrom: "a@example.org",
      recipients: [`r${i}-${uid()}@example.net`],
      domain: "facteur.test",
      senderAuthenticated: true,
    });
  }
  return e.DELIVERY_QUEUE.jobs.splice(0);
}

describe("delivery memory (issue 10 item 7)", () => {
  it("four jobs of large bodies do not run at once: the body bytes in flight stay within the budget", async () => {
    // The default budget takes one 25 MiB message, never four.
    expect(BODY_BYTES_IN_FLIGHT).toBeGreaterThanOrEqual(25 * MiB);
    expect(4 * 25 * MiB).toBeGreaterThan(BODY_BYTES_IN_FLIGHT);
    // The same proportions, scaled down: 2 MiB bodies and a 5 MiB budget.
    const e = testEnv();
    const jobs = await jobsOfSize(e, 4, 2 * MiB);
    const { relay, seen } = watchingRelay();
    const { result } = await runJobs(jobs, e, { relayFor: async () => relay, bodyBytesInFlight: 5 * MiB });
    expect(result.retryMessages).toHaveLength(0);
    expect(result.explicitAcks).toHaveLength(4);
    expect(seen.maxSends).toBe(2);
    expect(seen.maxBytes).toBeLessThanOrEqual(5 * MiB);
  });

  it("small bodies still go four at once, and a body larger than the budget still goes (alone)", async () => {
    const e = testEnv();
    const small = await jobsOfSize(e, 4, 4096);
    const first = watchingRelay();
    await runJobs(small, e, { relayFor: async () => first.relay, bodyBytesInFlight: 5 * MiB });
    expect(first.seen.maxSends).toBe(CONCURRENT_JOBS);

    const huge = await jobsOfSize(e, 2, 6 * MiB);
    const second = watchingRelay();
    const { result } = await runJobs(huge, e, { relayFor: async () => second.relay, bodyBytesInFlight: 5 * MiB });
    expect(result.explicitAcks).toHaveLength(2);
    expect(second.seen.maxSends).toBe(1);
  });
});
