/**
 * Every corpus file through the real email() entry point, sent to a report address as its
 * reporter would send it (signed, DMARC pass in a declared zone), each into a domain of its own:
 * the stored reports and rows equal the file's expectation, nothing is stored for a file that
 * must be rejected, and no report mail is ever rejected or forwarded. Then a forged report (no
 * DMARC pass) is not stored, and a report sent twice is stored once.
 */
import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import type { AggregateReport, TlsReport } from "../../src/reports/types";
import { insertDomain } from "../../src/store/domains";
import { listDmarcReportRows, listTlsReports } from "../../src/store/report-reads";
import { emailMessage } from "../helpers/email";
import type { Zone } from "../support/dns/zone";
import { createZoneResolver } from "../support/dns/zone";
import { corpusEntry, corpusFiles, type Expectation } from "./corpus";
import { declareReporter, reporterMail, signAs } from "./reporter-mail";
import { expectedRecordRows, expectedTlsPolicies, storedRecordRows } from "./stored-shape";

const zone: Zone = {};
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
const files = await corpusFiles();
const domainOf = (i: number) => `f${i}.reports.test`;
const figures = {
  files: 0,
  reportsStored: 0,
  rowsMatched: 0,
  policiesMatched: 0,
  nothingStored: 0,
  hostile: [] as string[],
};
/** email() end to end (DKIM over the whole message, then the bounded parse), in the 4×-slower pool. */
const HOSTILE_EMAIL_BOUND_MS = 5_000;

beforeAll(async () => {
  await env.DB.batch(files.map((_, i) => insertDomain(env.DB, { name: domainOf(i) })));
  await env.DB.batch(["twice.test", "forged.test"].map((name) => insertDomain(env.DB, { name })));
});

afterAll(() => {
  console.log(`report ingestion: ${JSON.stringify(figures)}`);
});

async function send(path: string, bytes: Uint8Array, expected: Expectation, domain: string, sign = true) {
  const mail = reporterMail(path, bytes, expected, `dmarc-reports@${domain}`);
  declareReporter(zone, mail.fromDomain);
  const raw = sign ? await signAs(mail.raw, mail.fromDomain) : mail.raw;
  const to = `${mail.address}@${domain}`;
  const captured = emailMessage(raw, { from: `bounces@${mail.fromDomain}`, to });
  await worker.email(captured.message, env, {} as ExecutionContext);
  const log = await env.DB.prepare("SELECT decision, rule, reason FROM messages WHERE rcpt_to = ? ORDER BY id DESC")
    .bind(to)
    .first<{ decision: string; rule: string; reason: string }>();
  return { captured, log };
}

async function storedReports(domain: string) {
  const dmarc = await env.DB.prepare("SELECT * FROM dmarc_reports WHERE domain = ? ORDER BY id")
    .bind(domain)
    .all<Record<string, unknown>>();
  const tls = await listTlsReports(env.DB, domain, { limit: 100 });
  return { dmarc: dmarc.results, tls: tls.rows };
}

describe("report corpus through email()", () => {
  it.each(files.map((f, i) => [f.path, i] as const))("%s", async (path, index) => {
    const entry = await corpusEntry(path);
    if (!entry) throw new Error(`${path} vanished`);
    const { bytes, expected } = entry;
    const domain = domainOf(index);
    const started = performance.now();
    const { captured, log } = await send(path, bytes, expected, domain);
    const elapsed = performance.now() - started;
    figures.files++;
    if (expected.expect === "rejected or bounded") {
      figures.hostile.push(`${path}: ${log?.decision} in ${elapsed.toFixed(0)} ms (${log?.reason})`);
      expect(elapsed).toBeLessThan(HOSTILE_EMAIL_BOUND_MS);
    }
    // A report address never bounces and never forwards, whatever it receives.
    expect(captured.rejected).toBeUndefined();
    expect(captured.forwards).toEqual([]);
    expect(log?.rule).toBe("report-address");
    const stored = await storedReports(domain);
    const parsed = expected.expect === "parsed" || expected.expect === "parsed or rejected";
    const aggregates = parsed ? (expected.reports ?? []).filter((r) => r.kind === "aggregate") : [];
    const tlsReports = parsed ? (expected.reports ?? []).filter((r) => r.kind === "tlsrpt") : [];
    expect(stored.dmarc.map((r) => [r.org_name, r.report_id])).toEqual(
      aggregates.map((r) => {
        const meta = r.report.report_metadata as { org_name: string; report_id: string };
        return [meta.org_name, meta.report_id];
      }),
    );
    expect(stored.tls.map((r) => [r.org_name, r.report_id])).toEqual(
      tlsReports.map((r) => [r.report["organization-name"], r.report["report-id"]]),
    );
    if (stored.dmarc.length + stored.tls.length === 0) {
      figures.nothingStored++;
      expect(log?.decision).toBe("discarded");
      return;
    }
    expect(log?.decision).toBe("report");
    for (const [i, report] of aggregates.entries()) {
      const row = stored.dmarc[i] ?? {};
      const summary = report.report.summary as { record_count: number; message_count: number };
      expect([row.record_count, row.message_count]).toEqual([summary.record_count, summary.message_count]);
      expect(JSON.parse(String(row.policy))).toEqual(report.report.policy_published);
      const rows = storedRecordRows(await listDmarcReportRows(env.DB, String(row.id)));
      expect(rows).toEqual(expectedRecordRows(report.report as unknown as AggregateReport));
      figures.reportsStored++;
      figures.rowsMatched += rows.length;
    }
    for (const [i, report] of tlsReports.entries()) {
      const row = stored.tls[i];
      const policies = JSON.parse(row?.policies ?? "[]") as unknown[];
      expect(policies).toEqual(expectedTlsPolicies(report.report as unknown as TlsReport));
      figures.reportsStored++;
      figures.policiesMatched += policies.length;
    }
  });
});

describe("who may file a report", () => {
  const path = "aggregate/mox__google.eml";

  it("does not store a report from a reporter that did not pass DMARC, and does not bounce it", async () => {
    const entry = await corpusEntry(path);
    if (!entry) throw new Error(`${path} missing`);
    const { captured, log } = await send(path, entry.bytes, entry.expected, "forged.test", false);
    expect(captured.rejected).toBeUndefined();
    expect(log?.decision).toBe("discarded");
    expect(log?.reason).toMatch(/without DMARC pass/);
    expect((await storedReports("forged.test")).dmarc).toEqual([]);
  });

  it("stores a report sent twice once, and the same report in another container once too", async () => {
    for (const file of [
      path,
      path,
      "aggregate/parsedmarc__nice-input.xml.gz",
      "aggregate/parsedmarc__nice-input.xml.zip",
    ]) {
      const entry = await corpusEntry(file);
      if (!entry) throw new Error(`${file} missing`);
      await send(file, entry.bytes, entry.expected, "twice.test");
    }
    const stored = await storedReports("twice.test");
    expect(stored.dmarc.map((r) => r.report_id)).toEqual(["13488712042596170873", "11038226378739404135"]);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM dmarc_report_rows WHERE domain = 'twice.test'").first<{
      n: number;
    }>();
    const google = (await corpusEntry(path))?.expected.reports?.[0]?.report.records as unknown[];
    const nice = (await corpusEntry("aggregate/parsedmarc__nice-input.xml.gz"))?.expected.reports?.[0]?.report
      .records as unknown[];
    expect(rows?.n).toBe(google.length + nice.length);
    const last = await env.DB.prepare(
      "SELECT decision, reason FROM messages WHERE rcpt_to = 'dmarc-reports@twice.test' ORDER BY id DESC",
    ).first<{ decision: string; reason: string }>();
    expect(last).toEqual({ decision: "report", reason: "dmarc-report: 0 stored, 1 already stored" });
  });
});
