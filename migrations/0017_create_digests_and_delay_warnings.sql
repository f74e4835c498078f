-- Digests (issue 15): members in digest_daily / digest_weekly mode get one multipart/digest per
-- period instead of each post. A post waits in digest_posts (one row per list, mode and post)
-- until a digest claims it; the claim is one UPDATE in the same D1 batch (a transaction) that
-- creates the digest, so a post goes into exactly one digest of each mode even when a cron run
-- is retried or two runs overlap.
CREATE TABLE list_digests (
  id TEXT PRIMARY KEY,                   -- also message_log_id of its delivery rows
  list_address TEXT NOT NULL REFERENCES lists(address) ON DELETE CASCADE ON UPDATE CASCADE,
  mode TEXT NOT NULL,                    -- digest_daily | digest_weekly
  period TEXT NOT NULL,                  -- YYYY-MM-DD (UTC) the period starts: the idempotency key with list and mode
  number INTEGER NOT NULL,               -- "digest, number N" per list and mode
  state TEXT NOT NULL DEFAULT 'claimed', -- claimed (posts taken, not yet queued) | queued (fan-out pages sent)
  posts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  queued_at INTEGER,
  lease_until INTEGER,                   -- a run composing and queueing it holds it until then (overlapping runs skip it)
  UNIQUE (list_address, mode, period)
);
CREATE INDEX list_digests_open ON list_digests(state, created_at) WHERE state = 'claimed';

CREATE TABLE digest_posts (
  list_address TEXT NOT NULL REFERENCES lists(address) ON DELETE CASCADE ON UPDATE CASCADE,
  mode TEXT NOT NULL,                    -- digest_daily | digest_weekly
  post_id TEXT NOT NULL,                 -- the post's id (= messages.id)
  r2_key TEXT NOT NULL,                  -- the post as distributed, before per-member fields
  subject TEXT,
  author TEXT,
  created_at INTEGER NOT NULL,
  digest_id TEXT,                        -- NULL until one digest claims it; never changed after
  PRIMARY KEY (list_address, mode, post_id)
);
CREATE INDEX digest_posts_pending ON digest_posts(mode, created_at) WHERE digest_id IS NULL;
CREATE INDEX digest_posts_digest ON digest_posts(digest_id, created_at, post_id);
-- Distribution asks, for every post, which digest modes a list's active members use: an index
-- answers it without reading the whole member list.
CREATE INDEX list_members_delivery_mode ON list_members(list_address, delivery_mode, status);

-- Delayed delivery warnings (RFC 3464 Action: delayed): at most one per message and envelope
-- sender. The row is claimed before the warning is queued, so a retried or redelivered job never
-- sends a second one.
CREATE TABLE delay_warnings (
  message_log_id TEXT NOT NULL,
  sender TEXT NOT NULL,                  -- where the warning went (after SRS reversal)
  r2_key TEXT NOT NULL,                  -- the warning (dsn/…/delayed-….eml)
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_log_id, sender)
);
CREATE INDEX delay_warnings_created ON delay_warnings(created_at);
