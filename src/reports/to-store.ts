/**
 * A parsed report as the store keeps it. Pure: the ids, domain and times come from the caller.
 * A report that cannot be filed (no reporter name, no report id, no date range) is rejected here,
 * because the reporter's org and report id are what make a second copy recognisable.
 */
import type { DmarcRecordRow, NewDmarcReport, NewTlsReport, TlsPolicyRow } from "../store/reports";
import { ReportRejected } from "./rejected";
import type { AggregateReport, Json, TlsReport } from "./types";

export interface Filing {
  id: string;
  domain: string;
  messageLogId: string | null;
  receivedAt: number;
}

function integerOrNull(value: number | string | null): number | null {
  return typeof value === "number" ? value : null;
}

function required(value: string | null, what: string): string {
  if (value === null) throw new ReportRejected(`report has no ${what}`);
  return value;
}

export function dmarcReportForStore(report: AggregateReport, filing: Filing): NewDmarcReport {
  const meta = report.report_metadata;
  const begin = meta.date_range.begin;
  const end = meta.date_range.end;
  if (typeof begin !== "number" || typeof end !== "number") throw new ReportRejected("report has no usable date_range");
  const policy = report.policy_published;
  const rows: DmarcRecordRow[] = report.records.map((record) => ({
    sourceIp: record.source_ip ?? "",
    // A count that is not an integer counts nothing rather than something made up.
    count: typeof record.count === "number" ? record.count : 0,
    disposition: record.policy_evaluated?.disposition ?? null,
    dkimAligned: record.policy_evaluated?.dkim ?? null,
    spfAligned: record.policy_evaluated?.spf ?? null,
    reasons: record.policy_evaluated?.reasons ?? [],
    headerFrom: record.identifiers?.header_from ?? null,
    envelopeFrom: record.identifiers?.envelope_from ?? null,
    envelopeTo: record.identifiers?.envelope_to ?? null,
    dkimResults: record.auth_results?.dkim ?? [],
    spfResults: record.auth_results?.spf ?? [],
  }));
  return {
    ...filing,
    orgName: required(meta.org_name, "org_name"),
    reportId: required(meta.report_id, "report_id"),
    email: meta.email,
    extraContactInfo: meta.extra_contact_info,
    beginAt: begin,
    endAt: end,
    policy: {
      domain: policy?.domain ?? null,
      p: policy?.p ?? null,
      sp: policy?.sp ?? null,
      pct: integerOrNull(policy?.pct ?? null),
      adkim: policy?.adkim ?? null,
      aspf: policy?.aspf ?? null,
    },
    policyPublished: policy,
    errors: meta.errors,
    rows,
  };
}

function text(value: Json): string | null {
  return typeof value === "string" ? value : null;
}

function count(value: Json): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 0;
}

export function tlsReportForStore(report: TlsReport, filing: Filing): NewTlsReport {
  const policies: TlsPolicyRow[] = report.policies.map((p) => ({
    policyType: text(p.policy["policy-type"]),
    policyDomain: text(p.policy["policy-domain"]),
    policyString: p.policy["policy-string"],
    mxHost: p.policy["mx-host"],
    successful: count(p.summary["total-successful-session-count"]),
    failed: count(p.summary["total-failure-session-count"]),
    failureDetails: p["failure-details"],
  }));
  return {
    ...filing,
    orgName: required(text(report["organization-name"]), "organization-name"),
    reportId: required(text(report["report-id"]), "report-id"),
    contactInfo: text(report["contact-info"]),
    startAt: text(report["date-range"]["start-datetime"]),
    endAt: text(report["date-range"]["end-datetime"]),
    policies,
  };
}
