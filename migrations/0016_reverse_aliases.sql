-- Reverse aliases and alias options (issue 14).
--
-- A contact is one external correspondent of one alias. Its reverse address (`reverse_local`@the
-- alias domain) is what the owner's copy shows as From and Reply-To: random (unguessable, 130 bits),
-- stored here so it maps back to exactly one (alias, correspondent) pair, and short enough for
-- RFC 5321 section 4.5.3.1.1's 64-octet local part.
CREATE TABLE contacts (
  id TEXT PRIMARY KEY,                   -- time-ordered id (API path and page cursor)
  alias TEXT NOT NULL,                   -- lookup key of the alias (lower-cased address)
  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
  address TEXT NOT NULL,                 -- the correspondent, lower-cased
  reverse_local TEXT NOT NULL UNIQUE,    -- lower-case local part of the reverse address
  blocked INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER,
  UNIQUE (alias, address)
);
CREATE INDEX contacts_domain_address ON contacts(domain, address);

-- Per-alias options. NULL reverse_aliases: the domain's default.
ALTER TABLE aliases ADD COLUMN reverse_aliases INTEGER;
ALTER TABLE aliases ADD COLUMN expires_at INTEGER;              -- ms epoch; NULL = never
ALTER TABLE aliases ADD COLUMN disabled_action TEXT NOT NULL DEFAULT 'reject'; -- reject | discard
ALTER TABLE aliases ADD COLUMN disabled_reply TEXT;             -- the 550 text; NULL = the default text
ALTER TABLE aliases ADD COLUMN blocked_action TEXT NOT NULL DEFAULT 'reject';  -- reject | discard
ALTER TABLE aliases ADD COLUMN forwarded_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE aliases ADD COLUMN blocked_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE aliases ADD COLUMN replied_count INTEGER NOT NULL DEFAULT 0;

ALTER TABLE domains ADD COLUMN reverse_aliases_default INTEGER NOT NULL DEFAULT 0;
