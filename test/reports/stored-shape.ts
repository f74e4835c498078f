/**
 * Stored report rows and the corpus expectations in one comparable shape: what the store keeps
 * of each <record> (src/store/reports.ts) and of each TLS policy.
 */
import type { AggregateReport, TlsReport } from "../../src/reports/types";
import type { DmarcSourceRow } from "../../src/store/report-reads";

export function storedRecordRows(rows: DmarcSourceRow[]) {
  return rows.map((r) => ({
    source_ip: r.source_ip,
    count: r.count,
    disposition: r.disposition,
    dkim: r.dkim_aligned,
    spf: r.spf_aligned,
    reasons: JSON.parse(r.reasons),
    header_from: r.header_from,
    envelope_from: r.envelope_from,
    envelope_to: r.envelope_to,
    dkim_results: JSON.parse(r.dkim_results),
    spf_results: JSON.parse(r.spf_results),
  }));
}

export function expectedRecordRows(report: AggregateReport) {
  return report.records.map((r) => ({
    source_ip: r.source_ip ?? "",
    count: r.count,
    disposition: r.policy_evaluated?.disposition ?? null,
    dkim: r.policy_evaluated?.dkim ?? null,
    spf: r.policy_evaluated?.spf ?? null,
    reasons: r.policy_evaluated?.reasons ?? [],
    header_from: r.identifiers?.header_from ?? null,
    envelope_from: r.identifiers?.envelope_from ?? null,
    envelope_to: r.identifiers?.envelope_to ?? null,
    dkim_results: r.auth_results?.dkim ?? [],
    spf_results: r.auth_results?.spf ?? [],
  }));
}

export function expectedTlsPolicies(report: TlsReport) {
  const count = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : 0);
  return report.policies.map((p) => ({
    policy_type: typeof p.policy["policy-type"] === "string" ? p.policy["policy-type"] : null,
    policy_domain: typeof p.policy["policy-domain"] === "string" ? p.policy["policy-domain"] : null,
    policy_string: p.policy["policy-string"],
    mx_host: p.policy["mx-host"],
    successful: count(p.summary["total-successful-session-count"]),
    failed: count(p.summary["total-failure-session-count"]),
    failure_details: p["failure-details"],
  }));
}
