/**
 * The raw message of a webhook delivery, at /webhooks/raw/{delivery}?expires=…&signature=…: the
 * link a payload carries when the message is too large to inline. The link's HMAC (webhooks/sign.ts)
 * is the only authority; anything wrong with it answers 404, so a guess learns nothing.
 */
import { Hono } from "hono";
import { findWebhookDelivery } from "../../store/webhook-deliveries";
import { findWebhook } from "../../store/webhooks";
import { openWebhookSecret } from "../../webhooks/secret";
import { verifyRawLink } from "../../webhooks/sign";

const notFound = () => new Response("not found\n", { status: 404, headers: { "cache-control": "no-store" } });

export const webhookRaw = new Hono<{ Bindings: Env }>().get("/webhooks/raw/:delivery", async (c) => {
  const expires = Number(c.req.query("expires"));
  const signature = c.req.query("signature") ?? "";
  const delivery = await findWebhookDelivery(c.env.DB, c.req.param("delivery"));
  const hook = delivery ? await findWebhook(c.env.DB, delivery.webhookId) : null;
  if (!delivery || !hook) return notFound();
  const secret = await openWebhookSecret(c.env, hook.id, hook.sealedSecret);
  if (!(await verifyRawLink(secret, delivery.id, expires, signature, Math.floor(Date.now() / 1000)))) {
    return notFound();
  }
  const object = await c.env.MAIL.get(delivery.r2Key);
  if (!object) return notFound();
  return new Response(object.body, {
    headers: { "content-type": "message/rfc822", "cache-control": "private, no-store" },
  });
});
