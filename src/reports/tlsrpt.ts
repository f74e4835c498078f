/**
 * An SMTP TLS report (RFC 8460 section 4) from its JSON. Members are read as sent; a missing
 * member is null and an absent failure-details list is empty (section 4.4 makes it optional).
 */
import { MAX_TLS_FAILURE_DETAILS, MAX_TLS_POLICIES } from "./limits";
import { ReportRejected } from "./rejected";
import type { Json, TlsFailureDetail, TlsPolicyResult, TlsReport } from "./types";

type JsonObject = { [key: string]: Json };

function object(value: Json | undefined): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}

function member(from: JsonObject, name: string): Json {
  return from[name] ?? null;
}

function isInteger(value: Json): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

export function parseTlsReport(bytes: Uint8Array): TlsReport {
  let value: Json;
  try {
    // RFC 8460 section 4.4: UTF-8 JSON (RFC 8259); a byte order mark is tolerated.
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes)) as Json;
  } catch (error) {
    throw new ReportRejected(`not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ReportRejected("JSON top level is not an object");
  }
  const range = object(value["date-range"]);
  const listed = value.policies;
  const policies = Array.isArray(listed) ? listed : [];
  if (policies.length > MAX_TLS_POLICIES) {
    throw new ReportRejected(`report has ${policies.length} policies, over ${MAX_TLS_POLICIES}`);
  }
  const results = policies.map(policyFrom);
  return {
    "organization-name": member(value, "organization-name"),
    "report-id": member(value, "report-id"),
    "contact-info": member(value, "contact-info"),
    "date-range": { "start-datetime": member(range, "start-datetime"), "end-datetime": member(range, "end-datetime") },
    policies: results,
    summary: {
      policy_count: results.length,
      total_successful: sum(results.map((r) => r.summary["total-successful-session-count"])),
      total_failure: sum(results.map((r) => r.summary["total-failure-session-count"])),
    },
  };
}

function sum(values: Json[]): number {
  return values.reduce<number>((total, v) => total + (isInteger(v) ? v : 0), 0);
}

function policyFrom(entry: Json): TlsPolicyResult {
  const result = object(entry);
  const policy = object(result.policy);
  const summary = object(result.summary);
  const details = Array.isArray(result["failure-details"]) ? result["failure-details"] : [];
  if (details.length > MAX_TLS_FAILURE_DETAILS) {
    throw new ReportRejected(`a policy has ${details.length} failure details, over ${MAX_TLS_FAILURE_DETAILS}`);
  }
  return {
    policy: {
      "policy-type": member(policy, "policy-type"),
      "policy-domain": member(policy, "policy-domain"),
      "policy-string": member(policy, "policy-string"),
      "mx-host": member(policy, "mx-host"),
    },
    summary: {
      "total-successful-session-count": member(summary, "total-successful-session-count"),
      "total-failure-session-count": member(summary, "total-failure-session-count"),
    },
    "failure-details": details.map(detailFrom),
  };
}

const DETAIL_MEMBERS = [
  "result-type",
  "failed-session-count",
  "sending-mta-ip",
  "receiving-mx-hostname",
  "receiving-mx-helo",
  "receiving-ip",
  "additional-information",
  "failure-reason-code",
] as const;

function detailFrom(entry: Json): TlsFailureDetail {
  const detail = object(entry);
  return Object.fromEntries(DETAIL_MEMBERS.map((name) => [name, member(detail, name)])) as unknown as TlsFailureDetail;
}
