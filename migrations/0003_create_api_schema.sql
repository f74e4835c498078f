-- Admin API: tokens, DKIM keys, failed-authentication throttle, per-user send rate, suppressions.

-- API tokens are shown once and stored only as SHA-256 hashes: a leaked database does not leak
-- usable tokens. `scopes` is a JSON array of "admin" | "read" | "domain:<name>". A token with
-- `user_name` acts as that user for POST /api/v1/send.
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,                   -- time-ordered id (also the pagination cursor)
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,       -- hex SHA-256 of the token
  scopes TEXT NOT NULL,                  -- JSON array
  user_name TEXT REFERENCES users(name) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);

-- DKIM keys per domain (RFC 6376). Several selectors may be live at once: rotation publishes a new
-- selector, and the old one stays valid (and published) until it is deleted, so mail in flight
-- still verifies. The newest active key signs.
CREATE TABLE dkim_keys (
  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
  selector TEXT NOT NULL,
  algorithm TEXT NOT NULL,               -- rsa-sha256 | ed25519-sha256
  public_key TEXT NOT NULL,              -- base64 as published in p= (RFC 6376 section 3.6.1)
  private_key_enc TEXT NOT NULL,         -- v1.<iv b64>.<AES-GCM ciphertext b64>, under KEY_ENCRYPTION_KEY
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  UNIQUE (domain, selector)
);

-- Failed authentications per client (CF-Connecting-IP). Kept in D1, not in memory: a Worker runs
-- as many isolates in many locations, so a per-isolate counter would let a bot spread its guesses.
CREATE TABLE auth_failures (
  client TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start INTEGER NOT NULL,         -- ms epoch when this counting window began
  blocked_until INTEGER                  -- ms epoch; NULL = not blocked
);

-- Messages submitted per user and fixed window (POST /api/v1/send rate limit).
CREATE TABLE send_counts (
  user_name TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (user_name, window_start)
);

-- Addresses Facteur must not send to (hard bounces, complaints, manual). Stored lower-cased.
CREATE TABLE suppressions (
  address TEXT PRIMARY KEY,
  reason TEXT,
  source TEXT NOT NULL DEFAULT 'manual', -- manual | bounce | complaint
  created_at INTEGER NOT NULL
);
