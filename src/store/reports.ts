/**
 * Writing DMARC aggregate reports (RFC 7489 section 7.2) and SMTP TLS reports (RFC 8460) and
 * their rows, and expiring them.
 *
 * A report is identified by its domain, its reporter's org name and report id: the report row is inserted
 * with ON CONFLICT DO NOTHING, and its rows only WHERE EXISTS a report with the new id, all in one
 * batch (one transaction), so a report sent twice is stored once and never half.
 *
 * Rows go in as one JSON array parameter per statement, read back with json_each: a statement
 * binds at most 5 parameters, far under D1's 100, and a report of 20,000 records takes 100
 * statements, far under the 1,000 queries an invocation may make (DESIGN.md).
 */

/** Rows per statement: about 100 KB of JSON at ~500 bytes a row. */
export const ROWS_PER_STATEMENT = 200;

export interface DmarcRecordRow {
  sourceIp: string;
  count: number;
  disposition: string | null;
  dkimAligned: string | null;
  spfAligned: string | null;
  reasons: unknown[];
  headerFrom: string | null;
  envelopeFrom: string | null;
  envelopeTo: string | null;
  dkimResults: unknown[];
  spfResults: unknown[];
}

export interface NewDmarcReport {
  id: string;
  domain: string;
  orgName: string;
  reportId: string;
  email: string | null;
  extraContactInfo: string | null;
  /** date_range, seconds since the epoch. */
  beginAt: number;
  endAt: number;
  policy: {
    domain: string | null;
    p: string | null;
    sp: string | null;
    pct: number | null;
    adkim: string | null;
    aspf: string | null;
  };
  /** policy_published as sent. */
  policyPublished: unknown;
  errors: string[];
  messageLogId: string | null;
  receivedAt: number;
  rows: DmarcRecordRow[];
}

export interface TlsPolicyRow {
  policyType: string | null;
  policyDomain: string | null;
  policyString: unknown;
  mxHost: unknown;
  successful: number;
  failed: number;
  failureDetails: unknown[];
}

export interface NewTlsReport {
  id: string;
  domain: string;
  orgName: string;
  reportId: string;
  contactInfo: string | null;
  startAt: string | null;
  endAt: string | null;
  messageLogId: string | null;
  receivedAt: number;
  policies: TlsPolicyRow[];
}

export interface StoredOutcome {
  /** false when the same org and report id were stored for the domain before: nothing was written. */
  stored: boolean;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const DMARC_ROW_COLUMNS = `source_ip, count, disposition, dkim_aligned, spf_aligned, reasons, header_from,
  envelope_from, envelope_to, dkim_results, spf_results`;

function dmarcRowTuple(row: DmarcRecordRow): unknown[] {
  return [
    row.sourceIp,
    row.count,
    row.disposition,
    row.dkimAligned,
    row.spfAligned,
    JSON.stringify(row.reasons),
    row.headerFrom,
    row.envelopeFrom,
    row.envelopeTo,
    JSON.stringify(row.dkimResults),
    JSON.stringify(row.spfResults),
  ];
}

// json_extract of a tuple: one column per position of dmarcRowTuple, in DMARC_ROW_COLUMNS order.
const DMARC_ROW_VALUES = Array.from({ length: 11 }, (_, i) => `json_extract(j.value, '$[${i}]')`).join(", ");

export async function insertDmarcReport(db: D1Database, report: NewDmarcReport): Promise<StoredOutcome> {
  const messageCount = report.rows.reduce((sum, row) => sum + row.count, 0);
  const head = db
    .prepare(
      `INSERT INTO dmarc_reports (id, domain, org_name, report_id, email, extra_contact_info, begin_at, end_at,
         policy_domain, policy_p, policy_sp, policy_pct, policy_adkim, policy_aspf, policy, errors, record_count,
         message_count, message_log_id, received_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
       ON CONFLICT (domain, org_name, report_id) DO NOTHING`,
    )
    .bind(
      report.id,
      report.domain,
      report.orgName,
      report.reportId,
      report.email,
      report.extraContactInfo,
      report.beginAt,
      report.endAt,
      report.policy.domain,
      report.policy.p,
      report.policy.sp,
      report.policy.pct,
      report.policy.adkim,
      report.policy.aspf,
      JSON.stringify(report.policyPublished),
      JSON.stringify(report.errors),
      report.rows.length,
      messageCount,
      report.messageLogId,
      report.receivedAt,
    );
  const rows = chunks(report.rows, ROWS_PER_STATEMENT).map((chunk, index) =>
    db
      .prepare(
        `INSERT INTO dmarc_report_rows (report_id, position, domain, begin_at, ${DMARC_ROW_COLUMNS})
         SELECT ?1, ?2 + j.key, ?3, ?4, ${DMARC_ROW_VALUES} FROM json_each(?5) j
          WHERE EXISTS (SELECT 1 FROM dmarc_reports WHERE id = ?1)`,
      )
      .bind(
        report.id,
        index * ROWS_PER_STATEMENT,
        report.domain,
        report.beginAt,
        JSON.stringify(chunk.map(dmarcRowTuple)),
      ),
  );
  const [first] = await db.batch([head, ...rows]);
  return { stored: (first?.meta.changes ?? 0) === 1 };
}

function tlsPolicyTuple(policy: TlsPolicyRow): unknown[] {
  return [
    policy.policyType,
    policy.policyDomain,
    policy.policyString === null ? null : JSON.stringify(policy.policyString),
    policy.mxHost === null ? null : JSON.stringify(policy.mxHost),
    policy.successful,
    policy.failed,
    JSON.stringify(policy.failureDetails),
  ];
}

const TLS_POLICY_VALUES = Array.from({ length: 7 }, (_, i) => `json_extract(j.value, '$[${i}]')`).join(", ");

export async function insertTlsReport(db: D1Database, report: NewTlsReport): Promise<StoredOutcome> {
  const head = db
    .prepare(
      `INSERT INTO tls_reports (id, domain, org_name, report_id, contact_info, start_at, end_at, total_successful,
         total_failure, message_log_id, received_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
       ON CONFLICT (domain, org_name, report_id) DO NOTHING`,
    )
    .bind(
      report.id,
      report.domain,
      report.orgName,
      report.reportId,
      report.contactInfo,
      report.startAt,
      report.endAt,
      report.policies.reduce((sum, p) => sum + p.successful, 0),
      report.policies.reduce((sum, p) => sum + p.failed, 0),
      report.messageLogId,
      report.receivedAt,
    );
  const policies = chunks(report.policies, ROWS_PER_STATEMENT).map((chunk, index) =>
    db
      .prepare(
        `INSERT INTO tls_report_policies (report_id, position, policy_type, policy_domain, policy_string, mx_host,
           successful, failed, failure_details)
         SELECT ?1, ?2 + j.key, ${TLS_POLICY_VALUES} FROM json_each(?3) j
          WHERE EXISTS (SELECT 1 FROM tls_reports WHERE id = ?1)`,
      )
      .bind(report.id, index * ROWS_PER_STATEMENT, JSON.stringify(chunk.map(tlsPolicyTuple))),
  );
  const [first] = await db.batch([head, ...policies]);
  return { stored: (first?.meta.changes ?? 0) === 1 };
}

const DAY_SECONDS = 86_400;

/**
 * Deletes reports (and, by cascade, their rows) older than their domain's report_retention_days
 * (those of a domain that is gone at once), at most `limit` reports of each kind per call so one sweep stays inside an invocation's limits.
 */
export async function deleteExpiredReports(db: D1Database, now: number, limit: number): Promise<number> {
  const nowSeconds = Math.floor(now / 1000);
  const [dmarc, tls] = await db.batch([
    db
      .prepare(
        `DELETE FROM dmarc_reports WHERE id IN (
           SELECT r.id FROM dmarc_reports r LEFT JOIN domains d ON d.name = r.domain
            WHERE r.end_at < ?1 - COALESCE(d.report_retention_days, 0) * ${DAY_SECONDS} LIMIT ?2)`,
      )
      .bind(nowSeconds, limit),
    db
      .prepare(
        `DELETE FROM tls_reports WHERE id IN (
           SELECT r.id FROM tls_reports r LEFT JOIN domains d ON d.name = r.domain
            WHERE r.received_at < ?1 - COALESCE(d.report_retention_days, 0) * ${DAY_SECONDS * 1000} LIMIT ?2)`,
      )
      .bind(now, limit),
  ]);
  return (dmarc?.meta.changes ?? 0) + (tls?.meta.changes ?? 0);
}
