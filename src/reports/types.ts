/**
 * Parsed reports. Field names are the reports' own: RFC 7489 appendix C element names for
 * aggregate reports, RFC 8460 section 4.4 member names for TLS reports, so a value can be traced
 * back to the document without a mapping table.
 */

/** Text as the reporter wrote it, trimmed; null when the element is absent, "" when empty. */
export type Text = string | null;
/** An integer element: a number when it is all digits, else the text kept as it was. */
export type Integer = number | string | null;

export interface PolicyPublished {
  domain: Text;
  adkim: Text;
  aspf: Text;
  p: Text;
  sp: Text;
  pct: Integer;
  fo: Text;
  np?: string;
  testing?: string;
  discovery_method?: string;
  psd?: string;
}

export interface AggregateRecord {
  source_ip: Text;
  count: Integer;
  policy_evaluated: {
    disposition: Text;
    dkim: Text;
    spf: Text;
    reasons: { type: Text; comment: Text }[];
  } | null;
  identifiers: { header_from: Text; envelope_from: Text; envelope_to: Text } | null;
  auth_results: {
    dkim: { domain: Text; selector: Text; result: Text; human_result: Text }[];
    spf: { domain: Text; scope: Text; result: Text; human_result: Text }[];
  } | null;
}

export interface AggregateReport {
  xml_namespace: string | null;
  version: Text;
  report_metadata: {
    org_name: Text;
    email: Text;
    extra_contact_info: Text;
    report_id: Text;
    date_range: { begin: Integer; end: Integer };
    errors: string[];
    generator?: string;
  };
  policy_published: PolicyPublished | null;
  records: AggregateRecord[];
  summary: { record_count: number; message_count: number };
}

/** Any JSON value: TLS reports are kept as sent, so a wrong type stays visible. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface TlsFailureDetail {
  "result-type": Json;
  "failed-session-count": Json;
  "sending-mta-ip": Json;
  "receiving-mx-hostname": Json;
  "receiving-mx-helo": Json;
  "receiving-ip": Json;
  "additional-information": Json;
  "failure-reason-code": Json;
}

export interface TlsPolicyResult {
  policy: { "policy-type": Json; "policy-domain": Json; "policy-string": Json; "mx-host": Json };
  summary: { "total-successful-session-count": Json; "total-failure-session-count": Json };
  "failure-details": TlsFailureDetail[];
}

export interface TlsReport {
  "organization-name": Json;
  "report-id": Json;
  "contact-info": Json;
  "date-range": { "start-datetime": Json; "end-datetime": Json };
  policies: TlsPolicyResult[];
  summary: { policy_count: number; total_successful: number; total_failure: number };
}

/** A DMARC failure report (RFC 6591, in the RFC 5965 feedback format). */
export interface FailureReport {
  /** message/feedback-report fields, names lower-cased, whitespace folded; a repeated field is a list. */
  feedback_report: Record<string, string | string[]>;
  /** From the enclosed message or its headers. */
  original_headers: Record<"from" | "to" | "subject" | "message-id" | "date", string | null> | null;
}

export type Container = "eml" | "zip" | "gzip";

export type FoundReport = {
  /** The layers peeled to reach the report, outside in. */
  container: Container[];
  /** The attachment, zip member or gzip file name it came from. */
  member: string | null;
} & (
  | { kind: "aggregate"; report: AggregateReport }
  | { kind: "tlsrpt"; report: TlsReport }
  | { kind: "failure"; report: FailureReport }
);
