-- The list archive: every distributed post once, as the transformed copy before per-member
-- personalisation (no member's unsubscribe URL), in R2 under archive/<list>/<post id>.eml.
-- Who may read it is a per-list setting read at every access, so changing it applies to every
-- post already archived.
CREATE TABLE list_archive_settings (
  list_address TEXT PRIMARY KEY REFERENCES lists(address) ON DELETE CASCADE ON UPDATE CASCADE,
  policy TEXT NOT NULL DEFAULT 'members', -- public | members | owners | off
  updated_at INTEGER NOT NULL
);

CREATE TABLE archived_posts (
  id TEXT PRIMARY KEY,                   -- the post's id (= inbound messages.id): one archive entry per post
  list_address TEXT NOT NULL REFERENCES lists(address) ON DELETE CASCADE ON UPDATE CASCADE,
  r2_key TEXT NOT NULL,
  month TEXT NOT NULL,                   -- YYYY-MM of archived_at (UTC): the by-month index and mbox export
  thread_id TEXT NOT NULL,               -- id of the first post of the thread (In-Reply-To / References)
  message_id TEXT,                       -- without angle brackets
  in_reply_to TEXT,
  refs TEXT,                             -- References, as sent
  subject TEXT,
  author TEXT,                           -- From as distributed (after DMARC mitigation)
  date_header TEXT,                      -- Date as sent
  size INTEGER NOT NULL,
  archived_at INTEGER NOT NULL
);
CREATE INDEX archived_posts_month ON archived_posts(list_address, month, id);
CREATE INDEX archived_posts_thread ON archived_posts(list_address, thread_id, id);
CREATE INDEX archived_posts_message_id ON archived_posts(list_address, message_id);

-- Full-text search over subject, author and the text of each post (SQLite FTS5).
CREATE VIRTUAL TABLE archived_posts_fts USING fts5(post_id UNINDEXED, list_address UNINDEXED, subject, author, body);

-- Takedowns: an owner removed a post; the post is gone, the fact that it was removed is kept.
CREATE TABLE archive_takedowns (
  post_id TEXT PRIMARY KEY,
  list_address TEXT NOT NULL,
  message_id TEXT,
  subject TEXT,
  removed_by TEXT NOT NULL,              -- token id, or "admin"
  reason TEXT,
  removed_at INTEGER NOT NULL
);
