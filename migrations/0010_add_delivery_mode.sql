-- Per-member delivery mode: every post as it is distributed (today's behaviour), a daily or weekly
-- digest, or no mail at all (the member stays subscribed, may post, and reads the archive).
ALTER TABLE list_members ADD COLUMN delivery_mode TEXT NOT NULL DEFAULT 'each'; -- each | digest_daily | digest_weekly | nomail
