-- Outbound delivery: one row per (stored body, recipient), and the dev capture relay's outbox.

-- Per-recipient delivery state (DESIGN.md "deliveries"). Queues delivers at least once, so the
-- consumer reads this table before sending and never sends again to a recipient whose row is
-- already final (sent, bounced, failed).
--   queued    written by enqueue, not tried yet
--   deferred  a temporary failure (4xx, timeout, connection error); next_attempt_at says when
--   sent      the relay accepted it (2xx)
--   bounced   the relay refused it permanently (5xx), or the give-up horizon passed
--   failed    Facteur gave up without an answer from the relay (dead-letter queue, body lost)
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,                   -- time-ordered id (also the pagination cursor)
  message_log_id TEXT NOT NULL,          -- messages.id of the inbound message (or list post, submission)
  origin TEXT NOT NULL,                  -- alias | list | submission | dsn | notice
  r2_key TEXT NOT NULL,                  -- the stored body (MAIL bucket)
  domain TEXT NOT NULL,                  -- our domain on whose behalf it is sent (relay choice)
  mail_from TEXT NOT NULL,               -- envelope sender for this recipient ('' = null sender <>)
  rcpt TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued', -- queued | deferred | sent | bounced | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  relay TEXT,                            -- name of the relay of the last attempt
  last_reply TEXT,                       -- last SMTP reply (or provider answer mapped to one)
  next_attempt_at INTEGER,               -- ms epoch of the scheduled retry (deferred only)
  dsn TEXT,                              -- after a permanent failure: 'queued:<r2 key>' or 'suppressed:<reason>'
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- One body goes once to a recipient: a retried email() or a re-run list fan-out chunk finds the
-- existing row instead of adding a second delivery.
CREATE UNIQUE INDEX deliveries_body_rcpt ON deliveries(r2_key, rcpt);
CREATE INDEX deliveries_message ON deliveries(message_log_id, id);
CREATE INDEX deliveries_status ON deliveries(status, id);
CREATE INDEX deliveries_domain ON deliveries(domain, id);

-- What the capture relay (`capture:`) would have sent: envelope here, raw bytes in R2 under outbox/.
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,                   -- time-ordered id (also the pagination cursor)
  mail_from TEXT NOT NULL,
  rcpt_to TEXT NOT NULL,                 -- JSON array
  r2_key TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
