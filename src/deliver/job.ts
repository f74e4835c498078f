/**
 * Encoding and decoding of the delivery job (core/jobs.ts holds its shape): its size on the queue,
 * and the checks a body read from the queue must pass before a consumer trusts it.
 */
import {
  DELIVERY_ORIGINS,
  type DeliveryJob,
  type DeliveryOrigin,
  InvalidJobError,
  UnknownJobVersionError,
} from "../core/jobs";

const encoder = new TextEncoder();

export function jobBytes(job: DeliveryJob): number {
  return encoder.encode(JSON.stringify(job)).byteLength;
}

/**
 * Checks a job body read from the queue. A job that fails this is acknowledged and logged, not
 * retried: retrying cannot repair it. An unknown version is kept for a later deployment.
 */
export function parseDeliveryJob(body: unknown): DeliveryJob {
  if (typeof body !== "object" || body === null) throw new InvalidJobError("job body is not an object");
  const job = body as Record<string, unknown>;
  if (typeof job.v !== "number") throw new InvalidJobError("job.v (version) is missing");
  if (job.v !== 1) throw new UnknownJobVersionError(`unknown job version ${JSON.stringify(job.v)}`);
  const str = (name: string) => {
    if (typeof job[name] !== "string") throw new InvalidJobError(`job.${name} is not a string`);
    return job[name] as string;
  };
  str("r2Key");
  str("mailFrom");
  str("messageLogId");
  str("domain");
  if (!DELIVERY_ORIGINS.includes(job.origin as DeliveryOrigin)) {
    throw new InvalidJobError(`unknown origin ${JSON.stringify(job.origin)}`);
  }
  if (typeof job.attempt !== "number" || typeof job.queuedAt !== "number") {
    throw new InvalidJobError("job.attempt and job.queuedAt must be numbers");
  }
  if (!Array.isArray(job.recipients) || job.recipients.length === 0) {
    throw new InvalidJobError("job.recipients must be a non-empty array");
  }
  for (const r of job.recipients as unknown[]) {
    const rec = r as Record<string, unknown>;
    if (typeof rec !== "object" || rec === null || typeof rec.id !== "string" || typeof rec.rcpt !== "string") {
      throw new InvalidJobError("each recipient needs a string id and rcpt");
    }
    if (rec.mailFrom !== undefined && typeof rec.mailFrom !== "string") {
      throw new InvalidJobError("recipient.mailFrom must be a string");
    }
    if (rec.prepend !== undefined && typeof rec.prepend !== "string") {
      throw new InvalidJobError("recipient.prepend must be a string");
    }
  }
  return {
    ...(job as unknown as DeliveryJob),
    senderAuthenticated: job.senderAuthenticated === true,
    autoSubmitted: job.autoSubmitted === true,
  };
}
