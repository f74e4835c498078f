-- Digests under a size cap (issue 15): a period's posts are split into several digests, each
-- under the list's digest_max_bytes (and the relay's limit minus Facteur's overhead). The
-- idempotency key of a digest gains a part number: (list, mode, period, part). SQLite cannot
-- change a UNIQUE constraint in place, so list_digests is rebuilt (nothing references it by
-- foreign key; digest_posts.digest_id is a plain column).
ALTER TABLE lists ADD COLUMN digest_max_bytes INTEGER NOT NULL DEFAULT 1048576;

-- The post as distributed, in bytes: the claim sums it to fill a part up to the cap. NULL for a
-- post kept before this migration: the claim counts it as a whole part (it goes alone).
ALTER TABLE digest_posts ADD COLUMN size INTEGER;

CREATE TABLE list_digests_parts (
  id TEXT PRIMARY KEY,
  list_address TEXT NOT NULL REFERENCES lists(address) ON DELETE CASCADE ON UPDATE CASCADE,
  mode TEXT NOT NULL,
  period TEXT NOT NULL,
  part INTEGER NOT NULL DEFAULT 1,       -- 1, 2, … within (list, mode, period), in claim order
  number INTEGER NOT NULL,               -- the issue number: one more than the list's last digest of this mode
  state TEXT NOT NULL DEFAULT 'claimed',
  posts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  queued_at INTEGER,
  lease_until INTEGER,
  UNIQUE (list_address, mode, period, part)
);
INSERT INTO list_digests_parts (id, list_address, mode, period, part, number, state, posts, created_at, queued_at, lease_until)
  SELECT id, list_address, mode, period, 1, number, state, posts, created_at, queued_at, lease_until FROM list_digests;
DROP TABLE list_digests;
ALTER TABLE list_digests_parts RENAME TO list_digests;
CREATE INDEX list_digests_open ON list_digests(state, created_at) WHERE state = 'claimed';
-- The retention sweep: queued digests by age.
CREATE INDEX list_digests_queued ON list_digests(queued_at) WHERE state = 'queued';
