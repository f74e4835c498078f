-- Domain health: DMARC aggregate reports (RFC 7489 section 7.2) and SMTP TLS reports (RFC 8460)
-- that reporters send to a domain's report addresses, and the per-domain settings for them and for
-- the MTA-STS policy (RFC 8461) Facteur serves.

-- Local parts that receive reports (the `rua` of the published DMARC record and of `_smtp._tls`),
-- how long reports are kept, and the MTA-STS policy mode and max_age (RFC 8461 section 3.2).
ALTER TABLE domains ADD COLUMN dmarc_report_local TEXT NOT NULL DEFAULT 'dmarc-reports';
ALTER TABLE domains ADD COLUMN tls_report_local TEXT NOT NULL DEFAULT 'tls-reports';
-- A little over a year, so this month can be compared with the same month last year.
ALTER TABLE domains ADD COLUMN report_retention_days INTEGER NOT NULL DEFAULT 400;
ALTER TABLE domains ADD COLUMN mta_sts_mode TEXT NOT NULL DEFAULT 'testing'
  CHECK (mta_sts_mode IN ('testing', 'enforce', 'none'));
-- One week: RFC 8461 section 3.2 says weeks or greater; max 31557600.
ALTER TABLE domains ADD COLUMN mta_sts_max_age INTEGER NOT NULL DEFAULT 604800;

-- One row per aggregate report. A reporter identifies a report by its org_name and report_id
-- (RFC 7489 appendix C), so a report sent twice is stored once. Unique per domain: one domain's
-- mail cannot keep another domain's report out by sending a copy first.
CREATE TABLE dmarc_reports (
  id TEXT PRIMARY KEY,
  domain TEXT NOT NULL,                  -- the Facteur domain whose report address received it
  org_name TEXT NOT NULL,
  report_id TEXT NOT NULL,
  email TEXT,
  extra_contact_info TEXT,
  begin_at INTEGER NOT NULL,             -- date_range, seconds since the epoch (UTC)
  end_at INTEGER NOT NULL,
  policy_domain TEXT,
  policy_p TEXT,
  policy_sp TEXT,
  policy_pct INTEGER,
  policy_adkim TEXT,
  policy_aspf TEXT,
  policy TEXT NOT NULL,                  -- policy_published as sent (JSON), with np/testing/… when present
  errors TEXT NOT NULL DEFAULT '[]',     -- JSON array of <error>
  record_count INTEGER NOT NULL,
  message_count INTEGER NOT NULL,
  message_log_id TEXT,                   -- the inbound log row of the email that carried it
  received_at INTEGER NOT NULL,          -- ms
  UNIQUE (domain, org_name, report_id)
);
CREATE INDEX dmarc_reports_by_domain ON dmarc_reports (domain, begin_at DESC, id DESC);

-- One row per <record>: a source IP with its count, what the receiver decided, and the raw
-- authentication results (domains and selectors) as JSON arrays.
CREATE TABLE dmarc_report_rows (
  report_id TEXT NOT NULL REFERENCES dmarc_reports(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  domain TEXT NOT NULL,                  -- copied from the report, for per-domain summaries
  begin_at INTEGER NOT NULL,             -- copied from the report, for date-range summaries
  source_ip TEXT NOT NULL,
  count INTEGER NOT NULL,
  disposition TEXT,
  dkim_aligned TEXT,                     -- policy_evaluated/dkim: pass | fail (as sent)
  spf_aligned TEXT,                      -- policy_evaluated/spf
  reasons TEXT NOT NULL DEFAULT '[]',    -- JSON [{type, comment}]
  header_from TEXT,
  envelope_from TEXT,
  envelope_to TEXT,
  dkim_results TEXT NOT NULL DEFAULT '[]',  -- JSON [{domain, selector, result, human_result}]
  spf_results TEXT NOT NULL DEFAULT '[]',   -- JSON [{domain, scope, result, human_result}]
  PRIMARY KEY (report_id, position)
);
CREATE INDEX dmarc_report_rows_by_source ON dmarc_report_rows (domain, source_ip, begin_at);
CREATE INDEX dmarc_report_rows_by_date ON dmarc_report_rows (domain, begin_at);

-- One row per TLS report (RFC 8460 section 4.4), identified by organization-name and report-id.
CREATE TABLE tls_reports (
  id TEXT PRIMARY KEY,
  domain TEXT NOT NULL,
  org_name TEXT NOT NULL,
  report_id TEXT NOT NULL,
  contact_info TEXT,
  start_at TEXT,                         -- date-range, RFC 3339 as sent
  end_at TEXT,
  total_successful INTEGER NOT NULL,
  total_failure INTEGER NOT NULL,
  message_log_id TEXT,
  received_at INTEGER NOT NULL,
  UNIQUE (domain, org_name, report_id)
);
CREATE INDEX tls_reports_by_domain ON tls_reports (domain, start_at DESC, id DESC);

-- One row per policy of a TLS report: its type and domain, the session counts, and the failure
-- details as sent (JSON).
CREATE TABLE tls_report_policies (
  report_id TEXT NOT NULL REFERENCES tls_reports(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  policy_type TEXT,
  policy_domain TEXT,
  policy_string TEXT,                    -- JSON array of lines, or null
  mx_host TEXT,                          -- JSON array, or null
  successful INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  failure_details TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (report_id, position)
);
