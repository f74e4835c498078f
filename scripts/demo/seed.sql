-- The embedded default for `npm start`: a demo domain with one alias and a catch-all, both to
-- destinations marked verified (locally, forward() only logs). Idempotent: safe on every start.
INSERT OR IGNORE INTO domains (name, enabled, catch_all, relay_url, created_at, updated_at)
  VALUES ('example.test', 1, '["catchall@example.net"]', NULL, 0, 0);
INSERT OR IGNORE INTO destinations (address, verified, created_at) VALUES ('you@example.net', 1, 0);
INSERT OR IGNORE INTO destinations (address, verified, created_at) VALUES ('catchall@example.net', 1, 0);
INSERT OR IGNORE INTO aliases (address, lookup, domain, local_part, is_pattern, glob, literal_length, destinations,
                               owner, enabled, description, created_at, updated_at)
  VALUES ('hello@example.test', 'hello@example.test', 'example.test', 'hello', 0, NULL, 5,
          '["you@example.net"]', NULL, 1, 'demo alias', 0, 0);
-- An alias to an address that is not verified: delivered through the relay (the capture relay
-- by default, readable at GET /api/v1/outbox).
INSERT OR IGNORE INTO aliases (address, lookup, domain, local_part, is_pattern, glob, literal_length, destinations,
                               owner, enabled, description, created_at, updated_at)
  VALUES ('relay@example.test', 'relay@example.test', 'example.test', 'relay', 0, NULL, 5,
          '["someone@elsewhere.example"]', NULL, 1, 'demo relayed alias', 0, 0);
