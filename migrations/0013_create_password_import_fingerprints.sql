-- Issue 10 item 12: re-importing a users file (PTT format, clear-text passwords) must not run
-- PBKDF2 again for every user whose password did not change. The importer keeps, per user, a
-- keyed fingerprint (HMAC-SHA256 under a key derived from KEY_ENCRYPTION_KEY) of the imported
-- password together with the stored hash; an equal fingerprint means "same password, same hash".
-- A cache: losing a row costs one PBKDF2 verification, so it is not part of the backup.
CREATE TABLE password_import_fingerprints (
  user_name TEXT PRIMARY KEY REFERENCES users(name) ON DELETE CASCADE,
  fingerprint TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
