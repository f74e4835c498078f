/**
 * Sweep: digests queued longer ago than the retention period, with the post rows they claimed
 * (and any R2 post copy left behind by a run that stopped before releasing it).
 *
 * How long: LOG_RETENTION_DAYS (default 30), and never under DIGEST_MIN_RETENTION_DAYS. What a
 * retried run needs is never swept: a digest not yet queued keeps its rows whatever its age (a
 * run that died after claiming composes it again from them), and claimed posts stay with their
 * digest, so none can become unclaimed and go out twice. The floor outlasts everything that can
 * still act on a queued digest: Queues keeps a fan-out or delivery message for at most 14 days,
 * and the weekly digest of a post is at most 14 days after it. Within the retention period the
 * digest rows explain the delivery log's rows (their message_log_id is the digest's id).
 */
import { deleteExpiredDigestPosts, deleteExpiredDigests } from "../store/digest-retention";
import { retentionCutoff, SWEEP_BATCH } from "./retention";
import type { Sweep } from "./sweep";

const DAY_MS = 86_400_000;
export const DIGEST_MIN_RETENTION_DAYS = 14;

export const expireDigests: Sweep = {
  name: "expire-digests",
  description: "delete digests queued before the retention period, the posts they claimed and leftover R2 copies",
  async run(env, now) {
    const cutoff = Math.min(retentionCutoff(env, now), now - DIGEST_MIN_RETENTION_DAYS * DAY_MS);
    const orphans = await deleteExpiredDigestPosts(env.DB, cutoff, SWEEP_BATCH);
    if (orphans.length > 0) await env.MAIL.delete(orphans);
    return orphans.length + (await deleteExpiredDigests(env.DB, cutoff, SWEEP_BATCH));
  },
};
