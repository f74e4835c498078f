/** Retention of webhook deliveries and auto-reply copies (scheduled() sweeps). */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { insertDomain } from "../../src/store/domains";
import { insertWebhookDelivery, recordWebhookAttempt } from "../../src/store/webhook-deliveries";
import { insertWebhook } from "../../src/store/webhooks";
import { expireAutoReplyCopies } from "../../src/sweeps/expire-auto-reply-copies";
import { expireWebhookDeliveries } from "../../src/sweeps/expire-webhook-deliveries";

const DAY = 86_400_000;

describe("webhook and auto-reply retention", () => {
  it("deletes finished deliveries past retention with their raw message, keeps pending ones", async () => {
    await insertDomain(env.DB, { name: "sweep-hooks.test" }).run();
    await insertWebhook(env.DB, {
      id: "wh-sweep",
      domain: "sweep-hooks.test",
      alias: null,
      url: "https://h.example/",
      sealedSecret: "x",
    }).run();
    const old = Date.now() - 40 * DAY;
    for (const [id, key, status] of [
      ["d-old", "webhooks/old.eml", "delivered"],
      ["d-pending", "webhooks/pending.eml", "pending"],
    ] as const) {
      await env.MAIL.put(key, "raw");
      await insertWebhookDelivery(env.DB, { id, webhookId: "wh-sweep", messageLogId: id, r2Key: key }, old).run();
      await env.DB.batch(
        recordWebhookAttempt(env.DB, {
          deliveryId: id,
          attempt: 1,
          at: old,
          status: 200,
          error: null,
          durationMs: 1,
          outcome: status,
          nextAttemptAt: null,
        }),
      );
    }
    // D1 counts the cascaded attempt rows in its changes too.
    expect(await expireWebhookDeliveries.run(env, Date.now())).toBeGreaterThanOrEqual(1);
    expect(await env.MAIL.head("webhooks/old.eml")).toBeNull();
    expect(await env.MAIL.head("webhooks/pending.eml")).not.toBeNull();
    const left = await env.DB.prepare("SELECT id FROM webhook_deliveries WHERE webhook_id = 'wh-sweep'").all();
    expect(left.results).toEqual([{ id: "d-pending" }]);
    const attempts = await env.DB.prepare("SELECT delivery_id FROM webhook_attempts WHERE delivery_id = 'd-old'").all();
    expect(attempts.results).toEqual([]);
  });

  it("deletes auto-reply copies older than the retention period", async () => {
    await env.MAIL.put("autoreply/recent.eml", "r");
    expect(await expireAutoReplyCopies.run(env, Date.now())).toBe(0);
    expect(await expireAutoReplyCopies.run(env, Date.now() + 31 * DAY)).toBe(1);
    expect(await env.MAIL.head("autoreply/recent.eml")).toBeNull();
  });
});
