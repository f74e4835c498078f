-- Cross-domain DMARC reports (RFC 7489 section 7.1): a domain may send its aggregate reports to
-- another domain Facteur serves. NULL = its own report address. The receiving domain then
-- publishes `<domain>._report._dmarc.<receiver>` TXT "v=DMARC1", without which reporters refuse to
-- send there. Reads join on the receiver, so a receiver since deleted counts as none.
ALTER TABLE domains ADD COLUMN dmarc_report_domain TEXT;
CREATE INDEX domains_by_dmarc_report_domain ON domains (dmarc_report_domain) WHERE dmarc_report_domain IS NOT NULL;
