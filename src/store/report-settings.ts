/**
 * A domain's reporting settings: the local parts of its report addresses, how long reports are
 * kept, and the MTA-STS policy it publishes (RFC 8461 section 3.2).
 */

export type MtaStsMode = "testing" | "enforce" | "none";

export interface ReportSettings {
  dmarcReportLocal: string;
  tlsReportLocal: string;
  reportRetentionDays: number;
  mtaStsMode: MtaStsMode;
  mtaStsMaxAge: number;
}

interface Row {
  dmarc_report_local: string;
  tls_report_local: string;
  report_retention_days: number;
  mta_sts_mode: MtaStsMode;
  mta_sts_max_age: number;
}

/** null when Facteur does not serve the domain. */
export async function findReportSettings(db: D1Database, domain: string): Promise<ReportSettings | null> {
  const row = await db
    .prepare(
      `SELECT dmarc_report_local, tls_report_local, report_retention_days, mta_sts_mode, mta_sts_max_age
         FROM domains WHERE name = ?1`,
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
  };
}

/** Changes the given settings; false when the domain does not exist. */
export async function updateReportSettings(
  db: D1Database,
  domain: string,
  changes: Partial<ReportSettings>,
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
    )
    .run();
  return (result.meta.changes ?? 0) > 0;
}
