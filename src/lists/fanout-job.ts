/**
 * The fan-out job (queue `facteur-fanout`): one page of a list's active members for one post.
 * The post itself is in R2 once; the job carries its key, the header section length (pages read
 * only the header, by range), and the body hash for the per-member DKIM signatures.
 */
export interface FanoutJobV1 {
  v: 1;
  /** messages.id of the post (also its delivery rows' message_log_id). */
  messageLogId: string;
  list: string;
  r2Key: string;
  /** Length of the stored header section including the blank line: pages read only these bytes. */
  headerBytes: number;
  /** Lower-cased From author: skipped unless their membership has receive_own. */
  author: string | null;
  /** Members with lookup in [from, to); to = null for the last page. */
  from: string;
  to: string | null;
  /** Set when the list domain has a key: per-member signatures reuse this body hash. */
  dkim: { bodyHash: string; headerList: string[]; selector: string } | null;
  /** ms epoch the post was signed (t=, RFC 6376 section 3.5): the same for every copy. */
  signedAt: number;
  /** The post's author authenticated (carried to delivery rows: gates DSNs). */
  senderAuthenticated: boolean;
}

export type FanoutJob = FanoutJobV1;

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
  return job as FanoutJob;
}
