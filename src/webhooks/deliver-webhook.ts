/**
 * One run of a webhook job: build the payload from the raw message in R2, sign it, POST it, and
 * record the attempt. The delivery row makes a redelivered job harmless: once delivered, failed or
 * gone, it is not POSTed again. Every POST of a delivery carries the same `webhook-id`, so a
 * receiver that got a POST whose answer we never saw (a timeout) can recognise the retry.
 */
import type { WebhookJob } from "../core/webhook-job";
import { pastGiveUpHorizon } from "../deliver/give-up";
import { domainOf } from "../mail/address";
import { findWebhookDelivery, recordWebhookAttempt, type WebhookDeliveryStatus } from "../store/webhook-deliveries";
import { findWebhook, setWebhookEnabled } from "../store/webhooks";
import { buildPayload, inlineRaw, RAW_INLINE_MAX_BYTES, RAW_LINK_TTL_SECONDS, type RawPart } from "./payload";
import { postWebhook } from "./post-webhook";
import { openWebhookSecret } from "./secret";
import { rawLinkQuery, signWebhook } from "./sign";

export interface WebhookDeps {
  now: () => number;
  timeoutMs: number;
  giveUpMs: number;
}

export type WebhookOutcome = "done" | "retry" | { drop: string };

/** Where the Worker serves raw messages: PUBLIC_URL, else https://<alias domain>. */
function rawUrlBase(env: Env, alias: string): string {
  return (env.PUBLIC_URL || `https://${domainOf(alias)}`).replace(/\/+$/, "");
}

export async function deliverWebhook(
  env: Env,
  job: WebhookJob,
  retryDelaySeconds: number | undefined,
  deps: WebhookDeps,
): Promise<WebhookOutcome> {
  const delivery = await findWebhookDelivery(env.DB, job.deliveryId);
  if (!delivery) return { drop: `webhook delivery ${job.deliveryId} is gone` };
  if (delivery.status !== "pending") return "done";
  const hook = await findWebhook(env.DB, delivery.webhookId);
  if (!hook) return { drop: `webhook ${delivery.webhookId} was deleted` };
  const at = deps.now();
  const record = (
    outcome: WebhookDeliveryStatus,
    result: { status: number | null; error: string | null; durationMs: number },
  ) =>
    recordWebhookAttempt(env.DB, {
      deliveryId: delivery.id,
      attempt: delivery.attempts + 1,
      at,
      ...result,
      outcome,
      nextAttemptAt: outcome === "pending" && retryDelaySeconds !== undefined ? at + retryDelaySeconds * 1000 : null,
    });
  if (!hook.enabled) {
    await env.DB.batch(record("gone", { status: null, error: "webhook disabled", durationMs: 0 }));
    return "done";
  }
  const object = await env.MAIL.get(delivery.r2Key);
  if (!object) return { drop: `raw message ${delivery.r2Key} is missing` };
  const raw = new Uint8Array(await object.arrayBuffer());
  const secret = await openWebhookSecret(env, hook.id, hook.sealedSecret);
  let rawPart: RawPart;
  if (raw.byteLength <= RAW_INLINE_MAX_BYTES) rawPart = inlineRaw(raw);
  else {
    const expires = Math.floor(at / 1000) + RAW_LINK_TTL_SECONDS;
    const query = await rawLinkQuery(secret, delivery.id, expires);
    rawPart = {
      size: raw.byteLength,
      url: `${rawUrlBase(env, job.alias)}/webhooks/raw/${delivery.id}?${query}`,
      expires_at: new Date(expires * 1000).toISOString(),
    };
  }
  const body = JSON.stringify(await buildPayload(job, raw, rawPart));
  const result = await postWebhook(hook.url, body, signWebhook(secret, delivery.id, new Date(at), body), deps);
  if (result.verdict === "delivered") {
    await env.DB.batch(record("delivered", result));
    return "done";
  }
  if (result.verdict === "gone") {
    // 410: the receiver says the endpoint is gone for good; stop sending to it at all.
    await env.DB.batch([
      ...record("gone", result),
      setWebhookEnabled(env.DB, hook.id, false, "410 Gone from the endpoint", at),
    ]);
    return "done";
  }
  if (pastGiveUpHorizon(delivery.createdAt, at, deps.giveUpMs)) {
    await env.DB.batch(record("failed", result));
    return "done";
  }
  await env.DB.batch(record("pending", result));
  return "retry";
}
