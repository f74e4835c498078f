/**
 * Reading stored DMARC and TLS reports for one domain: pages of reports, a summary over a date
 * range, and the rows of one source. DMARC passes when either aligned identifier passes (RFC 7489
 * section 4.2); results are compared case-insensitively because reporters write `Pass` too.
 * Pages follow the store's one contract (pagination.ts).
 */
import { type Page, type PageRequest, pageOf } from "./pagination";

export interface DmarcReportSummaryRow {
  id: string;
  org_name: string;
  report_id: string;
  email: string | null;
  begin_at: number;
  end_at: number;
  policy_domain: string | null;
  policy_p: string | null;
  record_count: number;
  message_count: number;
  received_at: number;
}

const PASSED = "(lower(dkim_aligned) = 'pass' OR lower(spf_aligned) = 'pass')";
/** Any verified signature or SPF pass in auth_results, aligned or not (RFC 7489 appendix C). */
const AUTHENTICATED = (column: "dkim_results" | "spf_results") =>
  `EXISTS (SELECT 1 FROM json_each(${column}) WHERE lower(json_extract(value, '$.result')) = 'pass')`;

/** Keys are "<begin_at>:<id>": newest report period first, the id breaking ties. */
function splitKey(after: string | undefined): [number, string] {
  if (!after) return [Number.MAX_SAFE_INTEGER, ""];
  const colon = after.indexOf(":");
  return [Number(after.slice(0, colon)) || 0, after.slice(colon + 1)];
}

export async function listDmarcReports(
  db: D1Database,
  domain: string,
  { limit, after }: PageRequest,
): Promise<Page<DmarcReportSummaryRow>> {
  const [begin, id] = splitKey(after);
  const { results } = await db
    .prepare(
      `SELECT id, org_name, report_id, email, begin_at, end_at, policy_domain, policy_p, record_count, message_count,
              received_at
         FROM dmarc_reports
        WHERE domain = ?1 AND (begin_at < ?2 OR (begin_at = ?2 AND (?3 = '' OR id < ?3)))
        ORDER BY begin_at DESC, id DESC LIMIT ?4`,
    )
    .bind(domain, begin, id, limit + 1)
    .all<DmarcReportSummaryRow>();
  return pageOf(results, limit, (row) => `${row.begin_at}:${row.id}`);
}

export interface DmarcSummary {
  reports: number;
  messages: number;
  passed: number;
  days: { day: number; messages: number; passed: number }[];
  sources: {
    source_ip: string;
    messages: number;
    passed: number;
    dkim_passed: number;
    spf_passed: number;
    dkim_authenticated: number;
    spf_authenticated: number;
  }[];
}

/** Totals, a per-day series (UTC days of begin_at) and the top sources of [from, to) in seconds. */
export async function summarizeDmarcReports(
  db: D1Database,
  domain: string,
  from: number,
  to: number,
  topSources: number,
): Promise<DmarcSummary> {
  const where = "FROM dmarc_report_rows WHERE domain = ?1 AND begin_at >= ?2 AND begin_at < ?3";
  const [totals, days, sources] = await db.batch([
    db
      .prepare(
        `SELECT COUNT(DISTINCT report_id) AS reports, COALESCE(SUM(count), 0) AS messages,
                COALESCE(SUM(CASE WHEN ${PASSED} THEN count ELSE 0 END), 0) AS passed ${where}`,
      )
      .bind(domain, from, to),
    db
      .prepare(
        `SELECT begin_at / 86400 * 86400 AS day, SUM(count) AS messages,
                SUM(CASE WHEN ${PASSED} THEN count ELSE 0 END) AS passed ${where} GROUP BY day ORDER BY day`,
      )
      .bind(domain, from, to),
    db
      .prepare(
        `SELECT source_ip, SUM(count) AS messages, SUM(CASE WHEN ${PASSED} THEN count ELSE 0 END) AS passed,
                SUM(CASE WHEN lower(dkim_aligned) = 'pass' THEN count ELSE 0 END) AS dkim_passed,
                SUM(CASE WHEN lower(spf_aligned) = 'pass' THEN count ELSE 0 END) AS spf_passed,
                SUM(CASE WHEN ${AUTHENTICATED("dkim_results")} THEN count ELSE 0 END) AS dkim_authenticated,
                SUM(CASE WHEN ${AUTHENTICATED("spf_results")} THEN count ELSE 0 END) AS spf_authenticated
           ${where} GROUP BY source_ip ORDER BY messages DESC, source_ip LIMIT ?4`,
      )
      .bind(domain, from, to, topSources),
  ]);
  const total = (totals?.results[0] ?? {}) as { reports?: number; messages?: number; passed?: number };
  return {
    reports: total.reports ?? 0,
    messages: total.messages ?? 0,
    passed: total.passed ?? 0,
    days: (days?.results ?? []) as DmarcSummary["days"],
    sources: (sources?.results ?? []) as DmarcSummary["sources"],
  };
}

export interface DmarcSourceRow {
  report: string;
  org_name: string;
  begin_at: number;
  end_at: number;
  source_ip: string;
  count: number;
  disposition: string | null;
  dkim_aligned: string | null;
  spf_aligned: string | null;
  reasons: string;
  header_from: string | null;
  envelope_from: string | null;
  envelope_to: string | null;
  dkim_results: string;
  spf_results: string;
}

/** Every row of one source IP in [from, to), newest first, at most `limit`. */
export async function listDmarcSourceRows(
  db: D1Database,
  domain: string,
  sourceIp: string,
  from: number,
  to: number,
  limit: number,
): Promise<DmarcSourceRow[]> {
  const { results } = await db
    .prepare(
      `SELECT r.report_id AS report, d.org_name, d.begin_at, d.end_at, r.source_ip, r.count, r.disposition,
              r.dkim_aligned, r.spf_aligned, r.reasons, r.header_from, r.envelope_from, r.envelope_to,
              r.dkim_results, r.spf_results
         FROM dmarc_report_rows r JOIN dmarc_reports d ON d.id = r.report_id
        WHERE r.domain = ?1 AND r.source_ip = ?2 AND r.begin_at >= ?3 AND r.begin_at < ?4
        ORDER BY r.begin_at DESC, r.report_id DESC, r.position LIMIT ?5`,
    )
    .bind(domain, sourceIp, from, to, limit)
    .all<DmarcSourceRow>();
  return results;
}

/** The rows of one stored report, in the report's order. */
export async function listDmarcReportRows(db: D1Database, id: string): Promise<DmarcSourceRow[]> {
  const { results } = await db
    .prepare(
      `SELECT r.report_id AS report, d.org_name, d.begin_at, d.end_at, r.source_ip, r.count, r.disposition,
              r.dkim_aligned, r.spf_aligned, r.reasons, r.header_from, r.envelope_from, r.envelope_to,
              r.dkim_results, r.spf_results
         FROM dmarc_report_rows r JOIN dmarc_reports d ON d.id = r.report_id
        WHERE r.report_id = ?1 ORDER BY r.position`,
    )
    .bind(id)
    .all<DmarcSourceRow>();
  return results;
}

export interface TlsReportRow {
  id: string;
  org_name: string;
  report_id: string;
  contact_info: string | null;
  start_at: string | null;
  end_at: string | null;
  total_successful: number;
  total_failure: number;
  received_at: number;
  /** JSON array of the report's policies with their counts and failure details. */
  policies: string;
}

export async function listTlsReports(
  db: D1Database,
  domain: string,
  { limit, after }: PageRequest,
): Promise<Page<TlsReportRow>> {
  const { results } = await db
    .prepare(
      `SELECT t.id, t.org_name, t.report_id, t.contact_info, t.start_at, t.end_at, t.total_successful,
              t.total_failure, t.received_at,
              (SELECT json_group_array(json_object('policy_type', p.policy_type, 'policy_domain', p.policy_domain,
                        'policy_string', json(p.policy_string), 'mx_host', json(p.mx_host),
                        'successful', p.successful, 'failed', p.failed,
                        'failure_details', json(p.failure_details)))
                 FROM (SELECT * FROM tls_report_policies WHERE report_id = t.id ORDER BY position) p) AS policies
         FROM tls_reports t
        WHERE t.domain = ?1 AND (?2 = '' OR t.id < ?2)
        ORDER BY t.id DESC LIMIT ?3`,
    )
    .bind(domain, after ?? "", limit + 1)
    .all<TlsReportRow>();
  return pageOf(results, limit, (row) => row.id);
}
