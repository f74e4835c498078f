-- Webhooks: each message accepted for an alias (or any alias of a domain) is POSTed as JSON to a
-- URL, signed per Standard Webhooks. Delivered through the facteur-webhooks queue; every attempt
-- is kept so the API can show it.

CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
  alias TEXT,                            -- lookup key of one alias; NULL = every alias of the domain
  url TEXT NOT NULL,
  secret TEXT NOT NULL,                  -- whsec_… sealed with KEY_ENCRYPTION_KEY (credentials/)
  enabled INTEGER NOT NULL DEFAULT 1,
  disabled_reason TEXT,                  -- e.g. "410 Gone from the endpoint"
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX webhooks_by_domain ON webhooks (domain, alias);

-- One row per (webhook, message): its id is the webhook-id header, the same on every retry, so
-- a receiver can drop a duplicate.
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  message_log_id TEXT NOT NULL,
  r2_key TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',   -- pending | delivered | failed | gone
  attempts INTEGER NOT NULL DEFAULT 0,
  last_status INTEGER,
  last_error TEXT,
  next_attempt_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (webhook_id, created_at);

CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status INTEGER,                        -- HTTP status; NULL when no response (timeout, refused)
  error TEXT,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);
