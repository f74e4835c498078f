/**
 * Decoding of the fan-out job (core/jobs.ts holds its shape): the checks a page read from
 * `facteur-fanout` must pass before the fan-out consumer trusts it.
 */
import type { FanoutJob, FanoutJobV1 } from "../core/jobs";

export class InvalidFanoutJobError extends Error {
  override name = "InvalidFanoutJobError";
}

export function parseFanoutJob(body: unknown): FanoutJob {
  const job = body as Partial<FanoutJobV1> | null;
  if (!job || typeof job !== "object" || job.v !== 1) throw new InvalidFanoutJobError("not a v1 fan-out job");
  for (const key of ["messageLogId", "list", "r2Key", "from"] as const) {
    if (typeof job[key] !== "string") throw new InvalidFanoutJobError(`fan-out job.${key} is not a string`);
  }
  if (typeof job.headerBytes !== "number" || typeof job.signedAt !== "number") {
    throw new InvalidFanoutJobError("fan-out job.headerBytes and signedAt must be numbers");
  }
  if (job.mode !== undefined && job.mode !== "digest_daily" && job.mode !== "digest_weekly") {
    throw new InvalidFanoutJobError("fan-out job.mode is not a digest mode");
  }
  return job as FanoutJob;
}
