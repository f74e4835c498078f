/** The list archive tables: archived_posts, its FTS5 index, list_archive_settings, archive_takedowns. */

export const ARCHIVE_POLICIES = ["public", "members", "owners", "off"] as const;
export type ArchivePolicy = (typeof ARCHIVE_POLICIES)[number];
/** A list without a setting: readable by its members, as Mailman 3's default (private archives). */
export const DEFAULT_ARCHIVE_POLICY: ArchivePolicy = "members";

export interface ArchivedPost {
  id: string;
  listAddress: string;
  r2Key: string;
  month: string;
  threadId: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string | null;
  subject: string | null;
  author: string | null;
  dateHeader: string | null;
  size: number;
  archivedAt: number;
}

interface PostRow {
  id: string;
  list_address: string;
  r2_key: string;
  month: string;
  thread_id: string;
  message_id: string | null;
  in_reply_to: string | null;
  refs: string | null;
  subject: string | null;
  author: string | null;
  date_header: string | null;
  size: number;
  archived_at: number;
}

const fromRow = (row: PostRow): ArchivedPost => ({
  id: row.id,
  listAddress: row.list_address,
  r2Key: row.r2_key,
  month: row.month,
  threadId: row.thread_id,
  messageId: row.message_id,
  inReplyTo: row.in_reply_to,
  references: row.refs,
  subject: row.subject,
  author: row.author,
  dateHeader: row.date_header,
  size: row.size,
  archivedAt: row.archived_at,
});

export async function findArchivePolicy(db: D1Database, listAddress: string): Promise<ArchivePolicy> {
  const row = await db
    .prepare("SELECT policy FROM list_archive_settings WHERE list_address = ?")
    .bind(listAddress)
    .first<{ policy: ArchivePolicy }>();
  return row?.policy ?? DEFAULT_ARCHIVE_POLICY;
}

export async function upsertArchivePolicy(
  db: D1Database,
  listAddress: string,
  policy: ArchivePolicy,
  now: number,
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO list_archive_settings (list_address, policy, updated_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (list_address) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at`,
    )
    .bind(listAddress, policy, now)
    .run();
}

/** The thread a reply belongs to: the thread of the newest archived post it names. */
export async function findThreadOf(db: D1Database, listAddress: string, messageIds: string[]): Promise<string | null> {
  if (messageIds.length === 0) return null;
  const ids = messageIds.slice(-20);
  const row = await db
    .prepare(
      `SELECT thread_id FROM archived_posts WHERE list_address = ? AND message_id IN (${ids.map(() => "?").join(", ")})
       ORDER BY id DESC LIMIT 1`,
    )
    .bind(listAddress, ...ids)
    .first<{ thread_id: string }>();
  return row?.thread_id ?? null;
}

/** Archives a post once: a second call for the same id (a retried email()) changes nothing. */
export async function insertArchivedPost(db: D1Database, post: ArchivedPost, text: string): Promise<boolean> {
  const [inserted] = await db.batch([
    db
      .prepare(
        // A post taken down stays down, even when a retried email() distributes it again.
        `INSERT OR IGNORE INTO archived_posts (id, list_address, r2_key, month, thread_id, message_id, in_reply_to, refs,
           subject, author, date_header, size, archived_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13
         WHERE NOT EXISTS (SELECT 1 FROM archive_takedowns WHERE post_id = ?1)`,
      )
      .bind(
        post.id,
        post.listAddress,
        post.r2Key,
        post.month,
        post.threadId,
        post.messageId,
        post.inReplyTo,
        post.references,
        post.subject,
        post.author,
        post.dateHeader,
        post.size,
        post.archivedAt,
      ),
  ]);
  if (!inserted?.meta.changes) return false;
  await db
    .prepare("INSERT INTO archived_posts_fts (post_id, list_address, subject, author, body) VALUES (?, ?, ?, ?, ?)")
    .bind(post.id, post.listAddress, post.subject ?? "", post.author ?? "", text)
    .run();
  return true;
}

export async function findArchivedPost(db: D1Database, listAddress: string, id: string): Promise<ArchivedPost | null> {
  const row = await db
    .prepare("SELECT * FROM archived_posts WHERE list_address = ? AND id = ?")
    .bind(listAddress, id)
    .first<PostRow>();
  return row ? fromRow(row) : null;
}

export async function listArchiveMonths(
  db: D1Database,
  listAddress: string,
): Promise<{ month: string; posts: number }[]> {
  const { results } = await db
    .prepare("SELECT month, count(*) AS posts FROM archived_posts WHERE list_address = ? GROUP BY month ORDER BY month")
    .bind(listAddress)
    .all<{ month: string; posts: number }>();
  return results;
}

/** Posts of a month (or of a thread) in id order, which is arrival order. */
export async function listArchivedPosts(
  db: D1Database,
  listAddress: string,
  filter: { month?: string; threadId?: string },
  page: { after?: string; limit: number },
): Promise<ArchivedPost[]> {
  const column = filter.threadId !== undefined ? "thread_id" : "month";
  const { results } = await db
    .prepare(`SELECT * FROM archived_posts WHERE list_address = ?1 AND ${column} = ?2 AND id > ?3 ORDER BY id LIMIT ?4`)
    .bind(listAddress, filter.threadId ?? filter.month ?? "", page.after ?? "", page.limit)
    .all<PostRow>();
  return results.map(fromRow);
}

export async function searchArchive(
  db: D1Database,
  listAddress: string,
  query: string,
  limit: number,
): Promise<{ id: string; snippet: string }[]> {
  const { results } = await db
    .prepare(
      `SELECT post_id AS id, snippet(archived_posts_fts, 4, '', '', '…', 12) AS snippet FROM archived_posts_fts
       WHERE archived_posts_fts MATCH ?1 AND list_address = ?2 ORDER BY rank LIMIT ?3`,
    )
    .bind(query, listAddress, limit)
    .all<{ id: string; snippet: string }>();
  return results;
}

/** Removes a post and its index entry, and logs the takedown, in one batch. */
export async function takeDownArchivedPost(
  db: D1Database,
  post: ArchivedPost,
  removedBy: string,
  reason: string | null,
  now: number,
): Promise<void> {
  await db.batch([
    db
      .prepare(
        `INSERT OR REPLACE INTO archive_takedowns (post_id, list_address, message_id, subject, removed_by, reason, removed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(post.id, post.listAddress, post.messageId, post.subject, removedBy, reason, now),
    db.prepare("DELETE FROM archived_posts_fts WHERE post_id = ?").bind(post.id),
    db.prepare("DELETE FROM archived_posts WHERE id = ?").bind(post.id),
  ]);
}

export async function listArchiveTakedowns(
  db: D1Database,
  listAddress: string,
): Promise<
  {
    post_id: string;
    message_id: string | null;
    subject: string | null;
    removed_by: string;
    reason: string | null;
    removed_at: number;
  }[]
> {
  const { results } = await db
    .prepare(
      "SELECT post_id, message_id, subject, removed_by, reason, removed_at FROM archive_takedowns WHERE list_address = ? ORDER BY removed_at",
    )
    .bind(listAddress)
    .all<{
      post_id: string;
      message_id: string | null;
      subject: string | null;
      removed_by: string;
      reason: string | null;
      removed_at: number;
    }>();
  return results;
}
