-- Inbound core: domains, verified destinations, users and their mailboxes, aliases, inbound log.
-- Addresses are stored normalised: domain lower-case A-labels (IDNA), local part as given.
-- `lookup` columns hold the lower-cased address used for matching, because real senders do not
-- preserve case and RFC 5321 section 2.4 lets a receiver treat local parts case-insensitively.

CREATE TABLE domains (
  name TEXT PRIMARY KEY,                 -- A-label, lower-case
  enabled INTEGER NOT NULL DEFAULT 1,
  catch_all TEXT,                        -- JSON array of destinations, NULL = no catch-all
  relay_url TEXT,                        -- per-domain override of RELAY_URL, NULL = default
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Addresses verified in the Cloudflare account: only these are reachable by message.forward()
-- (at most 200 per account). Any other destination goes through the outbound relay.
CREATE TABLE destinations (
  address TEXT PRIMARY KEY,              -- lower-cased
  verified INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE users (
  name TEXT PRIMARY KEY,
  password_hash TEXT,                    -- pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The PTT/Elit idea: a user's mailboxes are their real addresses, and the destinations of the
-- aliases they own.
CREATE TABLE user_mailboxes (
  user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
  address TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_name, address)
);

CREATE TABLE aliases (
  address TEXT PRIMARY KEY,              -- local@domain, local part as given; may contain '*'
  lookup TEXT NOT NULL UNIQUE,           -- lower(address), what routing matches
  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
  local_part TEXT NOT NULL,
  is_pattern INTEGER NOT NULL DEFAULT 0, -- local part contains '*'
  glob TEXT,                             -- lower-cased SQLite GLOB for patterns ('[', '?' escaped)
  literal_length INTEGER NOT NULL DEFAULT 0, -- characters outside '*': longest literal wins
  destinations TEXT,                     -- JSON array; NULL = the owner's mailboxes
  owner TEXT REFERENCES users(name) ON DELETE SET NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  description TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX aliases_domain_pattern ON aliases(domain, is_pattern);
CREATE INDEX aliases_owner ON aliases(owner);

-- One row per inbound message: what arrived, how it authenticated, what Facteur decided and why.
CREATE TABLE messages (
  id TEXT PRIMARY KEY,                   -- time-ordered id (also the pagination cursor)
  received_at INTEGER NOT NULL,
  mail_from TEXT NOT NULL,
  rcpt_to TEXT NOT NULL,
  domain TEXT,                           -- recipient domain, for domain-scoped tokens
  message_id TEXT,
  subject TEXT,
  from_header TEXT,
  size INTEGER NOT NULL,
  auth TEXT,                             -- JSON {dkim, spf, arc, dmarc}: result + comment each
  decision TEXT NOT NULL,                -- forwarded | relayed | list | held | rejected | discarded | deferred
  rule TEXT,                             -- the rule or unit that decided
  smtp_reply TEXT,                       -- the reply given to the sending server when rejected
  reason TEXT,
  destinations TEXT                      -- JSON array
);
CREATE INDEX messages_rcpt ON messages(rcpt_to, id);
CREATE INDEX messages_decision ON messages(decision, id);
CREATE INDEX messages_domain ON messages(domain, id);
