-- Mailing lists (issue 4): lists, members, held posts, confirmation tokens.
-- Addresses are stored as given (domain normalised) with a lower-cased `lookup` for matching,
-- like aliases (0001): senders do not preserve case (RFC 5321 section 2.4).

-- A list `team@d` also owns team-request@, team-owner@, team-bounces+…@ and team-confirm+…@d.
-- Routing recognises them before aliases, and the API refuses a list whose address or
-- sub-addresses collide with an alias.
CREATE TABLE lists (
  address TEXT PRIMARY KEY,              -- team@d
  lookup TEXT NOT NULL UNIQUE,           -- lower(address)
  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
  local_part TEXT NOT NULL,
  name TEXT NOT NULL,                    -- display name: "Alice via <name>", subject prefix default
  description TEXT,
  policy TEXT NOT NULL DEFAULT 'members',         -- open | members | moderated | announce
  non_member_action TEXT NOT NULL DEFAULT 'hold', -- hold | reject | discard
  dmarc_mode TEXT NOT NULL DEFAULT 'auto',        -- auto | munge | wrap | none
  dmarc_always_domains TEXT NOT NULL DEFAULT '[]',-- JSON array: always rewrite From for these (gmail.com…)
  subject_prefix TEXT,                   -- e.g. "[team]"; NULL = none
  reply_to TEXT NOT NULL DEFAULT 'author',        -- list | author | none
  max_message_bytes INTEGER NOT NULL DEFAULT 5242880,
  hold_days INTEGER NOT NULL DEFAULT 14,
  bounce_threshold REAL NOT NULL DEFAULT 5,
  bounce_quiet_days INTEGER NOT NULL DEFAULT 7,
  archive_url TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX lists_domain ON lists(domain, lookup);

CREATE TABLE list_members (
  list_address TEXT NOT NULL REFERENCES lists(address) ON DELETE CASCADE ON UPDATE CASCADE,
  address TEXT NOT NULL,
  lookup TEXT NOT NULL,                  -- lower(address); page cursor for the fan-out
  verp_key TEXT NOT NULL,                -- 16 hex of SHA-256(list lookup, member lookup): names the member
                                         -- in VERP bounce addresses without the 64-octet local part overflowing
  display_name TEXT,
  role TEXT NOT NULL DEFAULT 'member',   -- member | moderator | owner
  status TEXT NOT NULL DEFAULT 'active', -- active | disabled | pending
  receive_own INTEGER NOT NULL DEFAULT 0,-- 1 = send the member a copy of their own posts
  bounce_score REAL NOT NULL DEFAULT 0,
  last_bounce_at INTEGER,                -- ms epoch of the last counted bounce
  disabled_reason TEXT,                  -- bounces | unsubscribed | owner
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (list_address, lookup)
);
-- Fan-out pages read active members in lookup order: (list, status, lookup) serves them.
CREATE INDEX list_members_status ON list_members(list_address, status, lookup);
CREATE INDEX list_members_verp ON list_members(list_address, verp_key);

-- A held post: the raw message in R2 (held/<id>.eml), the reason here.
CREATE TABLE held_messages (
  id TEXT PRIMARY KEY,                   -- time-ordered id (= inbound messages.id)
  list_address TEXT NOT NULL REFERENCES lists(address) ON DELETE CASCADE ON UPDATE CASCADE,
  r2_key TEXT NOT NULL,
  rule TEXT NOT NULL,                    -- the posting rule that held it
  reason TEXT NOT NULL,
  author TEXT,                           -- From address
  mail_from TEXT NOT NULL,
  subject TEXT,
  size INTEGER NOT NULL,
  authenticated INTEGER NOT NULL,        -- the author authenticated: only then is a rejection notice sent
  auth TEXT NOT NULL,                    -- JSON: Facteur's verdict at arrival (AR header for the ARC AAR,
                                         -- arc result for cv=, dmarc for the From rewrite on approval)
  token TEXT NOT NULL UNIQUE,            -- reply-to-notice approval token
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX held_messages_list ON held_messages(list_address, id);
CREATE INDEX held_messages_expiry ON held_messages(expires_at);

-- Double opt-in and reply-to-notice tokens: a reply to team-confirm+<token>@d acts on it.
CREATE TABLE list_confirmations (
  token TEXT PRIMARY KEY,
  list_address TEXT NOT NULL REFERENCES lists(address) ON DELETE CASCADE ON UPDATE CASCADE,
  action TEXT NOT NULL,                  -- subscribe | unsubscribe
  address TEXT NOT NULL,                 -- the address to (un)subscribe
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX list_confirmations_expiry ON list_confirmations(expires_at);
