/**
 * The report and transport-security records sync publishes, from health/records.ts (the same values
 * GET /api/v1/domains/{domain}/dkim lists): DMARC's rua at the domain's report address, and the
 * _mta-sts and _smtp._tls records when MTA-STS is enabled (mode testing or enforce), and the
 * RFC 7489 section 7.1 authorizations for the domains whose reports this one receives.
 */
import { dmarcRua, reportAuthorizations, withReportingRecords } from "../health/records";
import type { ReportSettings } from "../store/report-settings";

const DEFAULT_RUA_LOCAL = "dmarc-reports";

export async function reportingRecords(domain: string, settings: ReportSettings | null) {
  if (!settings) return { dmarcRua: `mailto:${DEFAULT_RUA_LOCAL}@${domain}`, reporting: [] };
  const published = await withReportingRecords([], domain, settings);
  const transport =
    settings.mtaStsMode === "none"
      ? []
      : published.filter((r) => r.name === `_mta-sts.${domain}` || r.name === `_smtp._tls.${domain}`);
  const reporting = [...transport, ...reportAuthorizations(domain, settings)];
  return { dmarcRua: dmarcRua(domain, settings), reporting: reporting.map(({ name, content }) => ({ name, content })) };
}
