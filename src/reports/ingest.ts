/**
 * A report email handed over by routing (route/rules/report-address.ts): every report in it is
 * parsed (parse.ts, bounded) and stored once (store/reports.ts). A payload that yields no report
 * is logged and dropped; nothing here ever asks for the message to be rejected or retried except
 * a storage failure, which throws so that the reporter's server tries again later.
 */
import { log, logError } from "../core/log";
import { findReportSettings } from "../store/report-settings";
import { insertDmarcReport, insertTlsReport } from "../store/reports";
import { parseReports } from "./parse";
import { ReportRejected } from "./rejected";
import { dmarcReportForStore, tlsReportForStore } from "./to-store";
import type { AggregateReport } from "./types";

export interface ReportIngestion {
  /** The inbound log row (its id is also the prefix of the stored reports' ids). */
  messageLogId: string;
  raw: Uint8Array;
  domain: string;
  /** Which address received it: only that kind of report is filed. */
  kind: "dmarc-report" | "tls-report";
  now: number;
}

export interface IngestOutcome {
  /** Reports stored, reports already stored (same org and report id), and reports refused. */
  stored: number;
  duplicates: number;
  refused: string[];
  /** One line for the inbound log. */
  reason: string;
}

export async function ingestReport(db: D1Database, input: ReportIngestion): Promise<IngestOutcome> {
  const outcome: IngestOutcome = { stored: 0, duplicates: 0, refused: [], reason: "" };
  let found: Awaited<ReturnType<typeof parseReports>>;
  try {
    found = await parseReports(input.raw);
  } catch (error) {
    if (!(error instanceof ReportRejected)) throw error;
    outcome.refused.push(error.why);
    outcome.reason = `${input.kind}: no report stored: ${error.why}`.slice(0, 500);
    log({ stage: "reports", unit: "parse", outcome: "refused", messageId: input.messageLogId, why: error.why });
    return outcome;
  }
  const reportsFor = found.some((item) => item.kind === "aggregate")
    ? new Set((await findReportSettings(db, input.domain))?.reportsFor ?? [])
    : new Set<string>();
  for (const [index, item] of found.entries()) {
    const filing = {
      id: `${input.messageLogId}-${index}`,
      domain: item.kind === "aggregate" ? filingDomain(item.report, input.domain, reportsFor) : input.domain,
      messageLogId: input.messageLogId,
      receivedAt: input.now,
    };
    try {
      if (item.kind === "aggregate" && input.kind === "dmarc-report") {
        count(outcome, await insertDmarcReport(db, dmarcReportForStore(item.report, filing)));
      } else if (item.kind === "tlsrpt" && input.kind === "tls-report") {
        count(outcome, await insertTlsReport(db, tlsReportForStore(item.report, filing)));
      } else {
        outcome.refused.push(`a ${item.kind} report is not filed at the ${input.kind} address`);
      }
    } catch (error) {
      if (!(error instanceof ReportRejected)) {
        logError({ stage: "reports", unit: "store", outcome: "error", messageId: input.messageLogId, error });
        throw error;
      }
      outcome.refused.push(error.why);
    }
  }
  for (const why of outcome.refused) {
    log({ stage: "reports", unit: "file", outcome: "refused", messageId: input.messageLogId, why });
  }
  const parts = [`${outcome.stored} stored`, `${outcome.duplicates} already stored`];
  if (outcome.refused.length > 0) parts.push(`${outcome.refused.length} refused (${outcome.refused.join("; ")})`);
  outcome.reason = `${input.kind}: ${parts.join(", ")}`.slice(0, 500);
  return outcome;
}

/**
 * RFC 7489 section 7.1: a report about a domain that sends its reports here (and that this domain
 * authorizes) is filed under that domain; any other report stays with the domain that received it,
 * so a reporter cannot file reports under a domain that did not ask for them here.
 */
export function filingDomain(report: AggregateReport, receiver: string, reportsFor: ReadonlySet<string>): string {
  const policyDomain = report.policy_published?.domain?.toLowerCase().replace(/\.$/, "");
  return policyDomain && reportsFor.has(policyDomain) ? policyDomain : receiver;
}

function count(outcome: IngestOutcome, result: { stored: boolean }): void {
  if (result.stored) outcome.stored++;
  else outcome.duplicates++;
}
