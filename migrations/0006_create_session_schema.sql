-- Web interface (/admin): sign-in sessions and the single-use sign-in links mailed to list members.

-- One row per signed-in browser. The cookie carries a random id; only its SHA-256 is stored, so a
-- leaked database holds no usable session. A session ends at the first of: idle expiry
-- (last_seen_at + idle window), absolute expiry (expires_at), logout or revocation (revoked_at).
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,              -- hex SHA-256 of the cookie value
  kind TEXT NOT NULL,                    -- admin-token | api-token | user | member
  token_id TEXT REFERENCES api_tokens(id) ON DELETE CASCADE,
  user_name TEXT REFERENCES users(name) ON DELETE CASCADE,
  member_address TEXT,                   -- lower-cased, for kind = member
  csrf_token TEXT NOT NULL,              -- echoed by every state-changing form
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);

-- Sign-in links mailed to list members: single use, 30 minutes. Only the SHA-256 is stored.
CREATE TABLE web_sign_in_links (
  token_hash TEXT PRIMARY KEY,
  address TEXT NOT NULL,                 -- lower-cased member address
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
