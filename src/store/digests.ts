/**
 * list_digests and digest_posts (migrations/0017): posts waiting for a member's digest, and the
 * digests that claimed them. A digest is keyed by (list, mode, period, part): a period's posts are
 * split into parts under a size cap (migrations/0019); claiming a part is atomic.
 */

export type DigestMode = "digest_daily" | "digest_weekly";
export const DIGEST_MODES: readonly DigestMode[] = ["digest_daily", "digest_weekly"];

export interface DigestRow {
  id: string;
  listAddress: string;
  mode: DigestMode;
  period: string;
  part: number;
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
  part: number;
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
  part: r.part,
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
    size: number;
    createdAt: number;
  },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO digest_posts (list_address, mode, post_id, r2_key, subject, author, size, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .bind(post.listAddress, post.mode, post.postId, post.r2Key, post.subject, post.author, post.size, post.createdAt);
}

/** Lists with posts of `mode` created before `before` that no digest has claimed yet. */
export async function findListsWithPendingPosts(
  db: D1Database,
  mode: DigestMode,
  before: number,
  limit: number,
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT list_address FROM digest_posts
        WHERE mode = ?1 AND digest_id IS NULL AND created_at < ?2 ORDER BY list_address LIMIT ?3`,
    )
    .bind(mode, before, limit)
    .all<{ list_address: string }>();
  return results.map((r) => r.list_address);
}

/**
 * What a post costs in a digest besides its bytes: its MIME boundary and part header, and its
 * table-of-contents line (number, subject, author), as compose-digest.ts writes them.
 */
export const DIGEST_PER_POST_BYTES = 160;

/**
 * Creates the next part of the digest of (list, mode, period) and claims, in post order, the
 * unclaimed posts created before `before` whose running size (each post's bytes plus its
 * DIGEST_PER_POST_BYTES and TOC text) stays within `budget`; the first post always goes, alone if
 * it is bigger than the budget. One D1 batch, a transaction: the part exists only with posts,
 * and a post is claimed by one part only, however many runs overlap. A post kept before sizes
 * were recorded (size NULL) counts as a whole budget: it goes alone. Returns the posts claimed.
 */
export async function claimDigestPart(
  db: D1Database,
  digest: { id: string; listAddress: string; mode: DigestMode; period: string; before: number; now: number },
  budget: number,
): Promise<number> {
  const pending = "list_address = ?2 AND mode = ?3 AND digest_id IS NULL AND created_at < ?5";
  const [, claim] = await db.batch([
    db
      .prepare(
        `INSERT INTO list_digests (id, list_address, mode, period, part, number, created_at)
         SELECT ?1, ?2, ?3, ?4,
                (SELECT coalesce(max(part), 0) + 1 FROM list_digests WHERE list_address = ?2 AND mode = ?3 AND period = ?4),
                (SELECT coalesce(max(number), 0) + 1 FROM list_digests WHERE list_address = ?2 AND mode = ?3), ?6
          WHERE EXISTS (SELECT 1 FROM digest_posts WHERE ${pending}) ON CONFLICT DO NOTHING`,
      )
      .bind(digest.id, digest.listAddress, digest.mode, digest.period, digest.before, digest.now),
    db
      .prepare(
        `UPDATE digest_posts SET digest_id = ?1
          WHERE list_address = ?2 AND mode = ?3 AND EXISTS (SELECT 1 FROM list_digests WHERE id = ?1)
            AND post_id IN (
              SELECT post_id FROM (
                SELECT post_id,
                       row_number() OVER w AS n,
                       sum(coalesce(size, ?6) + length(coalesce(subject, '')) + length(coalesce(author, '')) + ?7) OVER w AS running
                  FROM digest_posts WHERE ${pending}
                WINDOW w AS (ORDER BY created_at, post_id))
               WHERE n = 1 OR running <= ?6)`,
      )
      .bind(digest.id, digest.listAddress, digest.mode, digest.period, digest.before, budget, DIGEST_PER_POST_BYTES),
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
  size: number | null;
}

export async function findDigestPosts(db: D1Database, digestId: string): Promise<DigestPostRow[]> {
  const { results } = await db
    .prepare(
      "SELECT post_id, r2_key, subject, author, size FROM digest_posts WHERE digest_id = ? ORDER BY created_at, post_id",
    )
    .bind(digestId)
    .all<{ post_id: string; r2_key: string; subject: string | null; author: string | null; size: number | null }>();
  return results.map((r) => ({
    postId: r.post_id,
    r2Key: r.r2_key,
    subject: r.subject,
    author: r.author,
    size: r.size,
  }));
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
