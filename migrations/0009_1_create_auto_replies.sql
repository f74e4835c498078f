-- Auto-replies (vacation, RFC 3834) per alias, and when each sender was last answered, so a sender
-- gets at most one reply per interval (RFC 3834 section 2: "SHOULD NOT" reply more often).

CREATE TABLE auto_replies (
  alias TEXT PRIMARY KEY,                -- lookup key of the alias
  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
  enabled INTEGER NOT NULL DEFAULT 1,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  starts_at INTEGER,                     -- ms epoch; NULL = now
  ends_at INTEGER,                       -- ms epoch; NULL = until turned off
  interval_days INTEGER NOT NULL DEFAULT 7,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE auto_reply_senders (
  alias TEXT NOT NULL REFERENCES auto_replies(alias) ON DELETE CASCADE,
  sender TEXT NOT NULL,                  -- lower-cased envelope sender
  last_sent_at INTEGER NOT NULL,
  PRIMARY KEY (alias, sender)
);
