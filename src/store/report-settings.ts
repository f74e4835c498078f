/**
 * A domain's reporting settings: the local parts of its report addresses, how long reports are
 * kept, and the MTA-STS policy it publishes (RFC 8461 section 3.2). A domain may send its DMARC
 * aggregate reports to another domain Facteur serves (RFC 7489 section 7.1): then its rua is the
 * receiver's report address, and the receiver lists it in `reportsFor`.
 */

export type MtaStsMode = "testing" | "enforce" | "none";

export interface ReportSettings {
  dmarcReportLocal: string;
  tlsReportLocal: string;
  reportRetentionDays: number;
  mtaStsMode: MtaStsMode;
  mtaStsMaxAge: number;
  /** The domain that receives this domain's DMARC reports; null for itself (or a receiver since deleted). */
  dmarcReportDomain: string | null;
  /** The receiver's DMARC report local part, when dmarcReportDomain is set. */
  dmarcReceiverLocal: string | null;
  /** Domains whose DMARC reports this domain receives, sorted. */
  reportsFor: string[];
}

/** What PATCH can change; dmarcReportDomain null sets reports back to the domain's own address. */
export type ReportSettingsChange = Partial<
  Pick<ReportSettings, "dmarcReportLocal" | "tlsReportLocal" | "reportRetentionDays" | "mtaStsMode" | "mtaStsMaxAge">
> & { dmarcReportDomain?: string | null };

interface Row {
  dmarc_report_local: string;
  tls_report_local: string;
  report_retention_days: number;
  mta_sts_mode: MtaStsMode;
  mta_sts_max_age: number;
  dmarc_report_domain: string | null;
  receiver_local: string | null;
  reports_for: string;
}

/** null when Facteur does not serve the domain. */
export async function findReportSettings(db: D1Database, domain: string): Promise<ReportSettings | null> {
  const row = await db
    .prepare(
      `SELECT d.dmarc_report_local, d.tls_report_local, d.report_retention_days, d.mta_sts_mode, d.mta_sts_max_age,
              r.name AS dmarc_report_domain, r.dmarc_report_local AS receiver_local,
              (SELECT json_group_array(name) FROM (SELECT name FROM domains WHERE dmarc_report_domain = d.name
                ORDER BY name)) AS reports_for
         FROM domains d LEFT JOIN domains r ON r.name = d.dmarc_report_domain AND r.name <> d.name
        WHERE d.name = ?1`,
    )
    .bind(domain)
    .first<Row>();
  if (!row) return null;
  return {
    dmarcReportLocal: row.dmarc_report_local,
    tlsReportLocal: row.tls_report_local,
    reportRetentionDays: row.report_retention_days,
    mtaStsMode: row.mta_sts_mode,
    mtaStsMaxAge: row.mta_sts_max_age,
    dmarcReportDomain: row.dmarc_report_domain,
    dmarcReceiverLocal: row.receiver_local,
    reportsFor: JSON.parse(row.reports_for) as string[],
  };
}

/** Changes the given settings; false when the domain does not exist. */
export async function updateReportSettings(
  db: D1Database,
  domain: string,
  changes: ReportSettingsChange,
  now = Date.now(),
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE domains SET
         dmarc_report_local = COALESCE(?2, dmarc_report_local),
         tls_report_local = COALESCE(?3, tls_report_local),
         report_retention_days = COALESCE(?4, report_retention_days),
         mta_sts_mode = COALESCE(?5, mta_sts_mode),
         mta_sts_max_age = COALESCE(?6, mta_sts_max_age),
         dmarc_report_domain = CASE WHEN ?8 THEN ?9 ELSE dmarc_report_domain END,
         updated_at = ?7
       WHERE name = ?1`,
    )
    .bind(
      domain,
      changes.dmarcReportLocal ?? null,
      changes.tlsReportLocal ?? null,
      changes.reportRetentionDays ?? null,
      changes.mtaStsMode ?? null,
      changes.mtaStsMaxAge ?? null,
      now,
      changes.dmarcReportDomain !== undefined ? 1 : 0,
      changes.dmarcReportDomain ?? null,
    )
    .run();
  return (result.meta.changes ?? 0) > 0;
}
