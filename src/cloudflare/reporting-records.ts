/**
 * The report and transport-security records sync publishes, from health/records.ts (the same values
 * GET /api/v1/domains/{domain}/dkim lists): DMARC's rua at the domain's report address, and the
 * _mta-sts and _smtp._tls records when MTA-STS is enabled (mode testing or enforce).
 */
import { dmarcRua, withReportingRecords } from "../health/records";
import type { ReportSettings } from "../store/report-settings";

const DEFAULT_RUA_LOCAL = "dmarc-reports";

export async function reportingRecords(domain: string, settings: ReportSettings | null) {
  if (!settings) return { dmarcRua: `mailto:${DEFAULT_RUA_LOCAL}@${domain}`, reporting: [] };
  const published = await withReportingRecords([], domain, settings);
  const reporting =
    settings.mtaStsMode === "none"
      ? []
      : published.filter((r) => r.name === `_mta-sts.${domain}` || r.name === `_smtp._tls.${domain}`);
  return { dmarcRua: dmarcRua(domain, settings), reporting: reporting.map(({ name, content }) => ({ name, content })) };
}
