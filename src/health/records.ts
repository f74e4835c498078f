/**
 * The records for reports and transport security that a domain should publish beside its MX,
 * SPF, DMARC and DKIM records: DMARC's rua pointing at the domain's report address (RFC 7489
 * section 6.3), the MTA-STS announcement (RFC 8461 section 3.1) and the TLS-RPT record pointing at
 * its TLS report address (RFC 8460 section 3). A domain that receives another's DMARC reports
 * publishes the authorization of RFC 7489 section 7.1 for it.
 */
import { EMAIL_ROUTING_MX } from "../credentials/dkim-keys";
import type { ReportSettings } from "../store/report-settings";
import { mtaStsPolicyId, mtaStsPolicyText, mtaStsRecord } from "./mta-sts";

export interface PublishedRecord {
  type: "TXT" | "MX";
  name: string;
  content: string;
  priority?: number;
  purpose: string;
}

export function mtaStsPolicyFor(settings: ReportSettings): string {
  return mtaStsPolicyText({ mode: settings.mtaStsMode, mx: EMAIL_ROUTING_MX, maxAge: settings.mtaStsMaxAge });
}

/** The domain's rua: its own report address, or the receiving domain's (RFC 7489 section 7.1). */
export function dmarcRua(domain: string, settings: ReportSettings): string {
  if (settings.dmarcReportDomain && settings.dmarcReceiverLocal) {
    return `mailto:${settings.dmarcReceiverLocal}@${settings.dmarcReportDomain}`;
  }
  return `mailto:${settings.dmarcReportLocal}@${domain}`;
}

/** RFC 7489 section 7.1: where the receiver says it accepts `domain`'s reports. */
export function reportAuthorizationName(domain: string, receiver: string): string {
  return `${domain}._report._dmarc.${receiver}`;
}

export const REPORT_AUTHORIZATION = "v=DMARC1";

/** The authorizations a receiving domain publishes, one per domain that reports to it. */
export function reportAuthorizations(receiver: string, settings: ReportSettings): PublishedRecord[] {
  return settings.reportsFor.map((domain) => ({
    type: "TXT",
    name: reportAuthorizationName(domain, receiver),
    content: REPORT_AUTHORIZATION,
    purpose: `DMARC external report authorization (RFC 7489 section 7.1): ${receiver} accepts ${domain}'s aggregate reports.`,
  }));
}

export function tlsRptRecord(domain: string, settings: ReportSettings): string {
  return `v=TLSRPTv1; rua=mailto:${settings.tlsReportLocal}@${domain}`;
}

/** `records` with rua added to the DMARC record, and the _mta-sts and _smtp._tls records after them. */
export async function withReportingRecords<R extends PublishedRecord>(
  records: R[],
  domain: string,
  settings: ReportSettings,
): Promise<PublishedRecord[]> {
  const dmarcName = `_dmarc.${domain}`;
  const id = await mtaStsPolicyId(mtaStsPolicyFor(settings));
  return [
    ...records.map((record) =>
      record.name === dmarcName && !/\brua=/.test(record.content)
        ? { ...record, content: `${record.content}; rua=${dmarcRua(domain, settings)}` }
        : record,
    ),
    {
      type: "TXT",
      name: `_mta-sts.${domain}`,
      content: mtaStsRecord(id),
      purpose: `MTA-STS (RFC 8461): announces the policy served at https://mta-sts.${domain}/.well-known/mta-sts.txt (route mta-sts.${domain} to this Worker); the id changes with the policy.`,
    },
    {
      type: "TXT",
      name: `_smtp._tls.${domain}`,
      content: tlsRptRecord(domain, settings),
      purpose: "TLS-RPT (RFC 8460): where sending servers report TLS failures; Facteur stores the reports.",
    },
    ...reportAuthorizations(domain, settings),
  ];
}
