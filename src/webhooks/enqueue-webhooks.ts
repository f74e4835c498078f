/**
 * At acceptance: when the alias (or its domain) has webhooks, the raw message is stored once in
 * R2 and one delivery row plus one job per webhook is queued. A D1, R2 or Queue failure throws,
 * before anything has been promised to the sender, so the sending server retries.
 */
import type { AuthResults } from "../authenticate";
import { newId } from "../core/ids";
import type { WebhookJob } from "../core/webhook-job";
import { lookupKey } from "../mail/address";
import { insertWebhookDelivery } from "../store/webhook-deliveries";
import { listWebhooksForAlias } from "../store/webhooks";

export interface AcceptedMessage {
  messageLogId: string;
  raw: Uint8Array;
  domain: string;
  /** The alias that matched (`*@domain` for the catch-all). */
  alias: string;
  mailFrom: string;
  rcptTo: string;
  auth: AuthResults;
  now: number;
}

export function webhookRawKey(messageLogId: string): string {
  return `webhooks/${messageLogId}.eml`;
}

/** Queues the message for every matching webhook; returns how many (0: nothing was stored). */
export async function enqueueWebhooks(env: Env, message: AcceptedMessage): Promise<number> {
  const hooks = await listWebhooksForAlias(env.DB, message.domain, lookupKey(message.alias));
  if (hooks.length === 0) return 0;
  const r2Key = webhookRawKey(message.messageLogId);
  await env.MAIL.put(r2Key, message.raw);
  const jobs: WebhookJob[] = hooks.map(() => ({
    v: 1,
    messageLogId: message.messageLogId,
    // Standard Webhooks suggests a "msg_" prefix; the id stays the same across retries.
    deliveryId: `msg_${newId(message.now)}`,
    envelope: { mailFrom: message.mailFrom, rcptTo: message.rcptTo },
    alias: message.alias,
    auth: {
      spf: message.auth.spf.result,
      dkim: message.auth.dkim.result,
      dmarc: message.auth.dmarc.result,
      arc: message.auth.arc.result,
      authenticated: message.auth.authenticated,
      header: message.auth.header,
    },
    receivedAt: message.now,
  }));
  await env.DB.batch(
    jobs.map((job, i) =>
      insertWebhookDelivery(
        env.DB,
        { id: job.deliveryId, webhookId: hooks[i]!.id, messageLogId: message.messageLogId, r2Key },
        message.now,
      ),
    ),
  );
  await env.WEBHOOK_QUEUE.sendBatch(jobs.map((body) => ({ body })));
  return jobs.length;
}
