/**
 * The Queues this Worker produces to and consumes (wrangler.toml declares the same names). One
 * Worker consumes several queues and `MessageBatch.queue` says which one a batch came from.
 */
export const QUEUES = {
  /** Delivery jobs (core/jobs.ts DeliveryJob); binding DELIVERY_QUEUE. */
  delivery: "facteur-delivery",
  /** Delivery jobs that exhausted max_retries. */
  deliveryDeadLetter: "facteur-delivery-dlq",
  /**
   * List fan-out pages (FanoutJob); binding FANOUT_QUEUE. Its dead-letter queue,
   * facteur-fanout-dlq, has no consumer: pages wait there to be inspected and replayed.
   */
  fanout: "facteur-fanout",
  /**
   * Webhook POSTs (core/webhook-job.ts); binding WEBHOOK_QUEUE. Its dead-letter queue,
   * facteur-webhooks-dlq, has no consumer: the give-up horizon ends a delivery long before
   * max_retries, so only a job that keeps crashing lands there.
   */
  webhooks: "facteur-webhooks",
  /**
   * Email Sending's lifecycle events (sending-events/event.ts), published by Cloudflare through an
   * event subscription, not by this Worker (no producer binding). Its dead-letter queue,
   * facteur-sending-events-dlq, has no consumer: malformed and unknown-version events wait there.
   */
  sendingEvents: "facteur-sending-events",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
