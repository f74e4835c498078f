/**
 * Every report a payload holds, peeled from the outside in (email → zip → gzip), each layer
 * recognised by its bytes (sniff.ts) and bounded (limits.ts). Pure: no storage, no network.
 * Throws ReportRejected with the reason when no report can be had; a report is never partial.
 */
import { parseAggregate } from "./aggregate";
import { readReportEmail } from "./email";
import { parseFailureReport } from "./failure";
import { gunzip } from "./gunzip";
import { MAX_CONTAINER_DEPTH, MAX_REPORT_BYTES, MAX_REPORTS_PER_MESSAGE } from "./limits";
import { ReportRejected } from "./rejected";
import { sniff } from "./sniff";
import { parseTlsReport } from "./tlsrpt";
import type { Container, FoundReport } from "./types";
import { unzip } from "./unzip";

export async function parseReports(data: Uint8Array, name: string | null = null): Promise<FoundReport[]> {
  const found = await peel(data, name, [], 0);
  if (found.length > MAX_REPORTS_PER_MESSAGE) {
    throw new ReportRejected(`${found.length} reports in one payload, over ${MAX_REPORTS_PER_MESSAGE}`);
  }
  return found;
}

async function peel(data: Uint8Array, name: string | null, layers: Container[], depth: number): Promise<FoundReport[]> {
  if (depth > MAX_CONTAINER_DEPTH) throw new ReportRejected(`containers nested deeper than ${MAX_CONTAINER_DEPTH}`);
  const kind = sniff(data);
  switch (kind) {
    case "gzip": {
      const inner = gunzipTolerant(data);
      return peel(inner.data, inner.name ?? name, [...layers, "gzip"], depth + 1);
    }
    case "zip": {
      const out: FoundReport[] = [];
      for (const member of unzip(data, MAX_REPORT_BYTES)) {
        out.push(...(await peel(member.data, member.name, [...layers, "zip"], depth + 1)));
      }
      return out;
    }
    case "xml":
      return [{ container: layers, member: name, kind: "aggregate", report: parseAggregate(bounded(data)) }];
    case "json":
      return [{ container: layers, member: name, kind: "tlsrpt", report: parseTlsReport(bounded(data)) }];
    case "empty":
      throw new ReportRejected("empty payload");
    case "eml":
      if (depth === 0) return peelEmail(data);
      break;
  }
  const first = [...data.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new ReportRejected(`payload is not XML, JSON, gzip, zip or an email (first bytes ${first})`);
}

function bounded(data: Uint8Array): Uint8Array {
  if (data.byteLength > MAX_REPORT_BYTES) {
    throw new ReportRejected(`report document is ${data.byteLength} bytes, over ${MAX_REPORT_BYTES}`);
  }
  return data;
}

/**
 * Some reporters' mail systems add a line break after the gzip member (gzip(1) ignores trailing
 * garbage with a warning); the inflater refuses it, so one retry without trailing
 * CR and LF bytes is made.
 */
function gunzipTolerant(data: Uint8Array) {
  try {
    return gunzip(data, MAX_REPORT_BYTES);
  } catch (error) {
    let end = data.byteLength;
    while (end > 0 && (data[end - 1] === 0x0a || data[end - 1] === 0x0d)) end--;
    if (end === data.byteLength || !(error instanceof ReportRejected) || error.why.includes("inflates past"))
      throw error;
    return gunzip(data.subarray(0, end), MAX_REPORT_BYTES);
  }
}

async function peelEmail(data: Uint8Array): Promise<FoundReport[]> {
  const email = await readReportEmail(data);
  if (email.feedback) {
    const report = parseFailureReport(email.feedback.fields, email.feedback.original);
    return [{ container: ["eml"], member: null, kind: "failure", report }];
  }
  const out: FoundReport[] = [];
  for (const attachment of email.attachments) {
    out.push(...(await peel(attachment.data, attachment.filename, ["eml"], 1)));
  }
  if (out.length === 0) {
    throw new ReportRejected("email carries no report attachment and no message/feedback-report part");
  }
  return out;
}
