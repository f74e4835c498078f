/**
 * The webhook job (queue `facteur-webhooks`): one POST of one accepted message to one webhook.
 * The raw message is in R2 (a job is at most 128 KB); the delivery row holds its key and status.
 * The envelope and the inbound authentication results travel in the job, as the payload needs
 * them and they are not in the raw message.
 */
export interface WebhookJobV1 {
  v: 1;
  /** messages.id of the accepted message. */
  messageLogId: string;
  /** webhook_deliveries.id, which is also the `webhook-id` header. */
  deliveryId: string;
  envelope: { mailFrom: string; rcptTo: string };
  /** The alias that matched (`*@domain` for a catch-all). */
  alias: string;
  auth: WebhookAuth;
  /** ms epoch when the message was accepted. */
  receivedAt: number;
}

export interface WebhookAuth {
  spf: string;
  dkim: string;
  dmarc: string;
  arc: string;
  /** DMARC passed (or aligned SPF/DKIM): the author's domain is who it says. */
  authenticated: boolean;
  /** The Authentication-Results value Facteur wrote (RFC 8601). */
  header: string;
}

export type WebhookJob = WebhookJobV1;
