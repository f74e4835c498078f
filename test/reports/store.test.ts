/**
 * src/store/reports.ts and report-reads.ts against miniflare's D1: a corpus report stored row for
 * row, a duplicate stored once, a report too large for one statement, TLS reports, retention.
 */
import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { createWorker } from "../../src/index";
import { MAX_RECORDS } from "../../src/reports/limits";
import { parseReports } from "../../src/reports/parse";
import { dmarcReportForStore, tlsReportForStore } from "../../src/reports/to-store";
import type { AggregateReport, TlsReport } from "../../src/reports/types";
import { insertDomain } from "../../src/store/domains";
import { listDmarcReportRows, listDmarcReports, listTlsReports } from "../../src/store/report-reads";
import { insertDmarcReport, insertTlsReport, ROWS_PER_STATEMENT } from "../../src/store/reports";
import { corpusEntry } from "./corpus";

const LARGE = "aggregate/parsedmarc__!large-example.com!1711897200!1711983600.xml";

async function corpusReport<T>(path: string): Promise<T> {
  const entry = await corpusEntry(path);
  if (!entry) throw new Error(`${path} missing`);
  const [found] = await parseReports(entry.bytes);
  return found?.report as T;
}

function filing(domain: string, receivedAt = Date.now()) {
  return { id: newId(receivedAt), domain, messageLogId: null, receivedAt };
}

describe("report store", () => {
  it("stores every record of a 2,286-record report, in order, and a second copy not at all", async () => {
    await insertDomain(env.DB, { name: "large.test" }).run();
    const report = await corpusReport<AggregateReport>(LARGE);
    expect(report.records.length).toBeGreaterThan(ROWS_PER_STATEMENT * 10);
    const first = dmarcReportForStore(report, filing("large.test"));
    expect(await insertDmarcReport(env.DB, first)).toEqual({ stored: true });
    expect(await insertDmarcReport(env.DB, dmarcReportForStore(report, filing("large.test")))).toEqual({
      stored: false,
    });
    const rows = await listDmarcReportRows(env.DB, first.id);
    expect(rows.map((r) => [r.source_ip, r.count, r.disposition, r.header_from])).toEqual(
      report.records.map((r) => [r.source_ip, r.count, r.policy_evaluated?.disposition, r.identifiers?.header_from]),
    );
    expect(rows.map((r) => JSON.parse(r.dkim_results))).toEqual(report.records.map((r) => r.auth_results?.dkim));
    const { rows: listed } = await listDmarcReports(env.DB, "large.test", { limit: 10 });
    expect(listed).toHaveLength(1);
    expect(listed[0]?.message_count).toBe(report.summary.message_count);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM dmarc_report_rows").first<{ n: number }>();
    expect(count?.n).toBe(report.records.length);
  });

  it("stores a report of MAX_RECORDS rows, inside D1's 1,000 statements per invocation", async () => {
    // One statement for the report, one per ROWS_PER_STATEMENT rows (each binds 5 parameters).
    expect(Math.ceil(MAX_RECORDS / ROWS_PER_STATEMENT) + 1).toBeLessThan(1_000);
    await insertDomain(env.DB, { name: "max.test" }).run();
    const rows = Array.from({ length: MAX_RECORDS }, (_, i) => ({
      sourceIp: `198.18.${Math.floor(i / 256) % 256}.${i % 256}`,
      count: (i % 7) + 1,
      disposition: "none",
      dkimAligned: i % 3 === 0 ? "fail" : "pass",
      spfAligned: "pass",
      reasons: [],
      headerFrom: "max.test",
      envelopeFrom: null,
      envelopeTo: null,
      dkimResults: [{ domain: "max.test", selector: "s1", result: "pass", human_result: null }],
      spfResults: [{ domain: "max.test", scope: "mfrom", result: "pass", human_result: null }],
    }));
    const report = {
      ...filing("max.test"),
      orgName: "max.reporter.test",
      reportId: "max",
      email: null,
      extraContactInfo: null,
      beginAt: 1_700_000_000,
      endAt: 1_700_086_399,
      policy: { domain: "max.test", p: "none", sp: null, pct: 100, adkim: null, aspf: null },
      policyPublished: {},
      errors: [],
      rows,
    };
    expect(await insertDmarcReport(env.DB, report)).toEqual({ stored: true });
    const stored = await env.DB.prepare(
      "SELECT COUNT(*) AS n, SUM(count) AS messages, MAX(position) AS last FROM dmarc_report_rows WHERE domain = 'max.test'",
    ).first();
    expect(stored).toEqual({
      n: MAX_RECORDS,
      messages: rows.reduce((sum, r) => sum + r.count, 0),
      last: MAX_RECORDS - 1,
    });
  });

  it("pages reports newest period first", async () => {
    await insertDomain(env.DB, { name: "paged.test" }).run();
    const report = await corpusReport<AggregateReport>("aggregate/drviewer__google.xml");
    for (let i = 0; i < 5; i++) {
      const copy = structuredClone(report);
      copy.report_metadata.report_id = `paged-${i}`;
      copy.report_metadata.date_range.begin = 1_700_000_000 + i * 86_400;
      await insertDmarcReport(env.DB, dmarcReportForStore(copy, filing("paged.test")));
    }
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await listDmarcReports(env.DB, "paged.test", { limit: 2, after });
      seen.push(...page.rows.map((r) => r.report_id));
      after = page.next ?? undefined;
    } while (after);
    expect(seen).toEqual(["paged-4", "paged-3", "paged-2", "paged-1", "paged-0"]);
  });

  it("stores a TLS report with its policies once", async () => {
    await insertDomain(env.DB, { name: "tls.test" }).run();
    const report = await corpusReport<TlsReport>("tlsrpt/parsedmarc__smtp_tls.json");
    const stored = tlsReportForStore(report, filing("tls.test"));
    expect(await insertTlsReport(env.DB, stored)).toEqual({ stored: true });
    expect(await insertTlsReport(env.DB, tlsReportForStore(report, filing("tls.test")))).toEqual({ stored: false });
    const { rows } = await listTlsReports(env.DB, "tls.test", { limit: 10 });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.total_successful).toBe(report.summary.total_successful);
    expect(rows[0]?.total_failure).toBe(report.summary.total_failure);
    const policies = JSON.parse(rows[0]?.policies ?? "[]") as { policy_type: string; failure_details: unknown[] }[];
    expect(policies.map((p) => p.policy_type)).toEqual(report.policies.map((p) => p.policy["policy-type"]));
    expect(policies.map((p) => p.failure_details)).toEqual(report.policies.map((p) => p["failure-details"]));
  });

  it("expires reports past the domain's retention, with their rows, on the cron tick", async () => {
    await insertDomain(env.DB, { name: "old.test" }).run();
    await env.DB.prepare("UPDATE domains SET report_retention_days = 10 WHERE name = 'old.test'").run();
    const report = await corpusReport<AggregateReport>("aggregate/drviewer__yahoo.xml");
    const now = Date.UTC(2026, 11, 1);
    const end = now / 1000;
    for (const [id, age] of [
      ["fresh", 9],
      ["stale", 11],
    ] as const) {
      const copy = structuredClone(report);
      copy.report_metadata.report_id = id;
      copy.report_metadata.date_range = { begin: end - age * 86_400 - 86_400, end: end - age * 86_400 };
      await insertDmarcReport(env.DB, dmarcReportForStore(copy, filing("old.test")));
    }
    // Through the Worker's real scheduled() entry point: the sweep is wired in.
    await createWorker().scheduled(createScheduledController({ scheduledTime: now }), env, createExecutionContext());
    const { rows } = await listDmarcReports(env.DB, "old.test", { limit: 10 });
    expect(rows.map((r) => r.report_id)).toEqual(["fresh"]);
    const orphans = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM dmarc_report_rows WHERE report_id NOT IN (SELECT id FROM dmarc_reports)",
    ).first<{ n: number }>();
    expect(orphans?.n).toBe(0);
  });
});
