/** Decoding of a webhook job read from the queue (core/webhook-job.ts holds its shape). */
import { InvalidJobError, UnknownJobVersionError } from "../core/jobs";
import type { WebhookJob } from "../core/webhook-job";

export function parseWebhookJob(body: unknown): WebhookJob {
  if (typeof body !== "object" || body === null) throw new InvalidJobError("job body is not an object");
  const job = body as Record<string, unknown>;
  if (typeof job.v !== "number") throw new InvalidJobError("job.v (version) is missing");
  if (job.v !== 1) throw new UnknownJobVersionError(`unknown job version ${JSON.stringify(job.v)}`);
  for (const name of ["messageLogId", "deliveryId", "alias"]) {
    if (typeof job[name] !== "string") throw new InvalidJobError(`job.${name} is not a string`);
  }
  const envelope = job.envelope as Record<string, unknown> | null;
  if (typeof envelope?.mailFrom !== "string" || typeof envelope.rcptTo !== "string") {
    throw new InvalidJobError("job.envelope needs mailFrom and rcptTo");
  }
  if (typeof job.auth !== "object" || job.auth === null || typeof job.receivedAt !== "number") {
    throw new InvalidJobError("job.auth and job.receivedAt are required");
  }
  return job as unknown as WebhookJob;
}
