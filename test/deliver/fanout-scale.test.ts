/**
 * A 10,000-member fan-out, as the list helper would do it: one stored body, two enqueue calls of
 * 5,000 (one per invocation), 200 jobs consumed in batches of 10 (wrangler.toml max_batch_size).
 * The relay is in memory, so this measures Facteur's own cost (D1, R2, queue bookkeeping), not a
 * network. Timings are printed, not asserted (the vitest pool inflates them about 4x).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enqueueDeliveryJobs, MAX_RECIPIENTS_PER_CALL, storeDeliveryBody } from "../../src/deliver/enqueue";
import { ORIGINAL, runJobs, scriptedRelay, testEnv, uid } from "./helpers";

describe("fan-out at list scale", () => {
  it("enqueues and delivers 10,000 recipients, each exactly once", async () => {
    const e = testEnv();
    const id = `list-${uid()}`;
    const r2Key = `mail/${id}.eml`;
    await storeDeliveryBody(e, r2Key, ORIGINAL);
    const members = Array.from({ length: 10_000 }, (_, i) => ({
      rcpt: `member${i}@m${i % 37}.example`,
      mailFrom: `dev-bounces+member${i}=m${i % 37}.example@lists.facteur.test`,
      prepend: `List-Unsubscribe: <https://lists.facteur.test/u/${i}>\r\n`,
    }));
    const t0 = performance.now();
    for (let i = 0; i < members.length; i += MAX_RECIPIENTS_PER_CALL) {
      await enqueueDeliveryJobs(e, {
        origin: "list",
        messageLogId: id,
        r2Key,
        mailFrom: "dev-bounces@lists.facteur.test",
        recipients: members.slice(i, i + MAX_RECIPIENTS_PER_CALL),
        domain: "lists.facteur.test",
        senderAuthenticated: true,
      });
    }
    const enqueueMs = performance.now() - t0;
    const jobs = e.DELIVERY_QUEUE.jobs.splice(0);
    expect(jobs).toHaveLength(200);

    const { relay, calls } = scriptedRelay(() => "sent");
    const t1 = performance.now();
    for (let i = 0; i < jobs.length; i += 10) {
      const { result, ids } = await runJobs(jobs.slice(i, i + 10), e, { relayFor: async () => relay });
      expect(result.explicitAcks).toEqual(ids);
    }
    const consumeMs = performance.now() - t1;
    // One transaction per member (each has its own VERP sender and header), one copy each.
    expect(calls).toHaveLength(10_000);
    expect(new Set(calls.map((c) => c.envelope.rcptTo[0])).size).toBe(10_000);
    const sent = await env.DB.prepare(
      "SELECT count(*) AS n FROM deliveries WHERE message_log_id = ?1 AND status = 'sent' AND attempts = 1",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(sent!.n).toBe(10_000);
    console.log(
      JSON.stringify({
        bench: "fanout-10000",
        enqueueMs: Math.round(enqueueMs),
        consumeMs: Math.round(consumeMs),
        recipientsPerSecond: Math.round(10_000 / ((enqueueMs + consumeMs) / 1000)),
      }),
    );
  }, 120_000);
});
