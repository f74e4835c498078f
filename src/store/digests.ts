/**
 * list_digests and digest_posts (migrations/0017): posts waiting for a member's digest, and the
 * digests that claimed them. A digest is keyed by (list, mode, period); claiming is atomic.
 */

export type DigestMode = "digest_daily" | "digest_weekly";
export const DIGEST_MODES: readonly DigestMode[] = ["digest_daily", "digest_weekly"];

export interface DigestRow {
  id: string;
  listAddress: string;
  mode: DigestMode;
  period: string;
  number: number;
  state: "claimed" | "queued";
  posts: number;
  createdAt: number;
}

interface DigestDbRow {
  id: string;
  list_address: string;
  mode: DigestMode;
  period: string;
  number: number;
  state: "claimed" | "queued";
  posts: number;
  created_at: number;
}

const toDigest = (r: DigestDbRow): DigestRow => ({
  id: r.id,
  listAddress: r.list_address,
  mode: r.mode,
  period: r.period,
  number: r.number,
  state: r.state,
  posts: r.posts,
  createdAt: r.created_at,
});

/** Digest modes of the list that at least one active member has (the post is kept for those only). */
export async function findDigestModesInUse(db: D1Database, listAddress: string): Promise<DigestMode[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT delivery_mode FROM list_members
        WHERE list_address = ? AND status = 'active' AND delivery_mode IN ('digest_daily', 'digest_weekly')`,
    )
    .bind(listAddress)
    .all<{ delivery_mode: DigestMode }>();
  return results.map((r) => r.delivery_mode);
}

/** A retried email() inserts nothing new: one row per (list, mode, post). */
export function insertDigestPost(
  db: D1Database,
  post: {
    listAddress: string;
    mode: DigestMode;
    postId: string;
    r2Key: string;
    subject: string | null;
    author: string | null;
    createdAt: number;
  },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO digest_posts (list_address, mode, post_id, r2_key, subject, author, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .bind(post.listAddress, post.mode, post.postId, post.r2Key, post.subject, post.author, post.createdAt);
}

/**
 * Lists with posts of `mode` created before `before` that no digest has claimed yet, leaving out
 * those whose digest for `period` exists already (their late posts wait for the next period).
 */
export async function findListsWithPendingPosts(
  db: D1Database,
  mode: DigestMode,
  period: string,
  before: number,
  limit: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT p.list_address FROM digest_posts p
        WHERE p.mode = ?1 AND p.digest_id IS NULL AND p.created_at < ?3
          AND NOT EXISTS (SELECT 1 FROM list_digests d WHERE d.list_address = p.list_address AND d.mode = ?1 AND d.period = ?2)
        ORDER BY p.list_address LIMIT ?4`,
    )
    .bind(mode, period, before, limit)
    .all<{ list_address: string }>();
  return results.map((r) => r.list_address);
}

/**
 * Creates the digest of (list, mode, period) and claims every unclaimed post created before
 * `before`, in one D1 batch (a transaction). When the digest already exists (a retried or
 * overlapping run), the INSERT is ignored and the claim, which requires the new id to exist,
 * changes nothing: no post is claimed twice, none by two digests.
 */
export async function claimDigest(
  db: D1Database,
  digest: { id: string; listAddress: string; mode: DigestMode; period: string; before: number; now: number },
): Promise<number> {
  const [, claim] = await db.batch([
    db
      .prepare(
        `INSERT INTO list_digests (id, list_address, mode, period, number, created_at)
         SELECT ?1, ?2, ?3, ?4, (SELECT count(*) + 1 FROM list_digests WHERE list_address = ?2 AND mode = ?3), ?5
          WHERE true ON CONFLICT DO NOTHING`,
      )
      .bind(digest.id, digest.listAddress, digest.mode, digest.period, digest.now),
    db
      .prepare(
        `UPDATE digest_posts SET digest_id = ?1
          WHERE list_address = ?2 AND mode = ?3 AND digest_id IS NULL AND created_at < ?4
            AND EXISTS (SELECT 1 FROM list_digests WHERE id = ?1)`,
      )
      .bind(digest.id, digest.listAddress, digest.mode, digest.before),
    db
      .prepare("UPDATE list_digests SET posts = (SELECT count(*) FROM digest_posts WHERE digest_id = ?1) WHERE id = ?1")
      .bind(digest.id),
  ]);
  return claim?.meta.changes ?? 0;
}

/** Digests that claimed posts but whose fan-out was not queued yet (a run stopped half-way). */
export async function findUnqueuedDigests(db: D1Database, limit: number): Promise<DigestRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM list_digests WHERE state = 'claimed' ORDER BY created_at, id LIMIT ?")
    .bind(limit)
    .all<DigestDbRow>();
  return results.map(toDigest);
}

export interface DigestPostRow {
  postId: string;
  r2Key: string;
  subject: string | null;
  author: string | null;
}

export async function findDigestPosts(db: D1Database, digestId: string): Promise<DigestPostRow[]> {
  const { results } = await db
    .prepare(
      "SELECT post_id, r2_key, subject, author FROM digest_posts WHERE digest_id = ? ORDER BY created_at, post_id",
    )
    .bind(digestId)
    .all<{ post_id: string; r2_key: string; subject: string | null; author: string | null }>();
  return results.map((r) => ({ postId: r.post_id, r2Key: r.r2_key, subject: r.subject, author: r.author }));
}

/**
 * Takes the digest for one run until `until`: true for exactly one of several overlapping runs.
 * A run that dies holding it leaves the lease to expire, and a later tick takes the digest over.
 */
export async function leaseDigest(db: D1Database, digestId: string, now: number, until: number): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE list_digests SET lease_until = ?3
        WHERE id = ?1 AND state = 'claimed' AND (lease_until IS NULL OR lease_until <= ?2)`,
    )
    .bind(digestId, now, until)
    .run();
  return result.meta.changes > 0;
}

export async function markDigestQueued(db: D1Database, digestId: string, now: number): Promise<void> {
  await db.prepare("UPDATE list_digests SET state = 'queued', queued_at = ? WHERE id = ?").bind(now, digestId).run();
}

/**
 * Post copies (R2 keys) of this digest that no digest still needs: every row of the post is
 * claimed by a digest already queued (the other mode may still be waiting for it).
 */
export async function findReleasablePostKeys(db: D1Database, digestId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT p.r2_key FROM digest_posts p WHERE p.digest_id = ?1 AND NOT EXISTS (
         SELECT 1 FROM digest_posts o LEFT JOIN list_digests d ON d.id = o.digest_id
          WHERE o.list_address = p.list_address AND o.post_id = p.post_id AND (o.digest_id IS NULL OR d.state <> 'queued'))`,
    )
    .bind(digestId)
    .all<{ r2_key: string }>();
  return results.map((r) => r.r2_key);
}

/**
 * One digest page: active, unsuppressed members of the list in `mode` with lookup in [from, to),
 * in lookup order (the digest counterpart of members.ts findFanoutPage).
 */
export async function findDigestPage(
  db: D1Database,
  listAddress: string,
  mode: DigestMode,
  from: string,
  to: string | null,
  limit: number,
): Promise<{ address: string; lookup: string; receiveOwn: boolean; verpKey: string }[]> {
  const { results } = await db
    .prepare(
      `SELECT m.address, m.lookup, m.verp_key FROM list_members m
        WHERE m.list_address = ?1 AND m.status = 'active' AND m.lookup >= ?2 AND (?3 IS NULL OR m.lookup < ?3)
          AND m.delivery_mode = ?5
          AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.address = m.lookup)
        ORDER BY m.lookup LIMIT ?4`,
    )
    .bind(listAddress, from, to, limit, mode)
    .all<{ address: string; lookup: string; verp_key: string }>();
  return results.map((r) => ({ address: r.address, lookup: r.lookup, receiveOwn: true, verpKey: r.verp_key }));
}
