/** What the health check reports: one finding per problem, each with its exact fix. */
import type { DkimKey } from "../store/dkim-keys";
import type { ReportSettings } from "../store/report-settings";

export type Severity = "error" | "warning" | "info";
export type Check = "mx" | "spf" | "dkim" | "dmarc" | "mta-sts" | "tls-rpt";

export interface Finding {
  check: Check;
  severity: Severity;
  problem: string;
  /** What to do, exactly. */
  fix: string;
  /** The record to publish, when a record fixes it. */
  record?: { type: "TXT" | "MX"; name: string; content: string };
}

export interface HealthInput {
  domain: string;
  keys: Pick<DkimKey, "selector" | "algorithm" | "publicKey" | "active">[];
  settings: ReportSettings;
  relayUrl: string | null;
}

export interface HealthReport {
  findings: Finding[];
  /** Checks with no finding. */
  passed: Check[];
}

export function lookupFailed(check: Check, name: string, error: string): Finding {
  return { check, severity: "warning", problem: `looking up ${name} failed (${error})`, fix: "check again later" };
}
