/**
 * The report API over stored corpus reports: the summary adds up the stored counts (totals, per
 * day and per source), a source's rows add up to its line in the summary, reverse DNS comes from
 * the resolver, pages follow cursors, and a domain token cannot read another domain's reports.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api";
import { newId } from "../../src/core/ids";
import { parseReports } from "../../src/reports/parse";
import { dmarcReportForStore, tlsReportForStore } from "../../src/reports/to-store";
import type { AggregateReport, TlsReport } from "../../src/reports/types";
import { insertDmarcReport, insertTlsReport } from "../../src/store/reports";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { corpusEntry } from "./corpus";

const zone: Zone = { "1.2.0.192.in-addr.arpa": { PTR: ["mail.sender.test."] } };
const app = createApp({ resolverFor: () => createZoneResolver(zone) });
const ADMIN = "test-admin-token";
const FILES = [
  "aggregate/drviewer__google.xml",
  "aggregate/drviewer__outlook.xml",
  "aggregate/parsedmarc__report_with_upper_cased_pass.xml",
  "aggregate/drviewer__hardfail.xml",
];
const reports: AggregateReport[] = [];
let ip = 0;

async function call(method: string, path: string, token = ADMIN, body?: unknown) {
  ip++;
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    "cf-connecting-ip": `203.0.113.${ip % 250}`,
  };
  if (body !== undefined) headers["content-type"] = "application/json";
  return app.request(
    `https://facteur.test${path}`,
    { method, headers, body: body ? JSON.stringify(body) : undefined },
    env,
  );
}

async function json(response: Response, status = 200) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text);
}

const isPass = (v: string | null | undefined) => v?.toLowerCase() === "pass";

beforeAll(async () => {
  for (const name of ["a.reports.test", "b.reports.test"]) {
    await json(await call("POST", "/api/v1/domains", ADMIN, { name }), 201);
  }
  for (const [i, path] of FILES.entries()) {
    const entry = await corpusEntry(path);
    const [found] = await parseReports(entry?.bytes ?? new Uint8Array());
    const report = found?.report as AggregateReport;
    // One source gets an address the declared zone has a PTR name for.
    if (i === 0 && report.records[0]) report.records[0].source_ip = "192.0.2.1";
    reports.push(report);
    const filing = { id: newId(), domain: "a.reports.test", messageLogId: null, receivedAt: Date.now() };
    await insertDmarcReport(env.DB, dmarcReportForStore(report, filing));
  }
  const tls = await corpusEntry("tlsrpt/parsedmarc__smtp_tls.json");
  const [found] = await parseReports(tls?.bytes ?? new Uint8Array());
  const filing = { id: newId(), domain: "a.reports.test", messageLogId: null, receivedAt: Date.now() };
  await insertTlsReport(env.DB, tlsReportForStore(found?.report as TlsReport, filing));
});

function everything() {
  const begins = reports.map((r) => Number(r.report_metadata.date_range.begin));
  return {
    from: new Date(Math.min(...begins) * 1000).toISOString(),
    to: new Date((Math.max(...begins) + 1) * 1000).toISOString(),
  };
}

describe("DMARC report API", () => {
  it("summarises: totals, days and sources all add up to the stored records", async () => {
    const { from, to } = everything();
    const summary = await json(await call("GET", `/api/v1/domains/a.reports.test/dmarc/summary?from=${from}&to=${to}`));
    const records = reports.flatMap((r) => r.records);
    const messages = records.reduce((sum, r) => sum + Number(r.count), 0);
    const passed = records
      .filter((r) => isPass(r.policy_evaluated?.dkim) || isPass(r.policy_evaluated?.spf))
      .reduce((sum, r) => sum + Number(r.count), 0);
    expect(summary).toMatchObject({ reports: FILES.length, messages, passed, failed: messages - passed });
    expect(summary.pass_rate).toBeCloseTo(passed / messages);
    const sum = (rows: { messages: number; passed: number }[]) =>
      rows.reduce((t, r) => ({ messages: t.messages + r.messages, passed: t.passed + r.passed }), {
        messages: 0,
        passed: 0,
      });
    expect(sum(summary.days)).toEqual({ messages, passed });
    expect(new Set(records.map((r) => r.source_ip)).size).toBeLessThanOrEqual(20);
    expect(sum(summary.sources)).toEqual({ messages, passed });
    const named = summary.sources.find((s: { source_ip: string }) => s.source_ip === "192.0.2.1");
    expect(named.reverse_dns).toBe("mail.sender.test");
    for (const source of summary.sources) expect(source.advice).toMatch(/\w/);
  });

  it("lists one source's rows, adding up to its line in the summary", async () => {
    const { from, to } = everything();
    const summary = await json(await call("GET", `/api/v1/domains/a.reports.test/dmarc/summary?from=${from}&to=${to}`));
    const top = summary.sources[0];
    const detail = await json(
      await call("GET", `/api/v1/domains/a.reports.test/dmarc/sources/${top.source_ip}?from=${from}&to=${to}`),
    );
    expect(detail.rows.reduce((t: number, r: { count: number }) => t + r.count, 0)).toBe(top.messages);
    expect(detail.source).toMatchObject({ messages: top.messages, passed: top.passed });
    await json(
      await call("GET", `/api/v1/domains/a.reports.test/dmarc/sources/198.51.100.250?from=${from}&to=${to}`),
      404,
    );
  });

  it("leaves out reports outside the period", async () => {
    const summary = await json(
      await call("GET", "/api/v1/domains/a.reports.test/dmarc/summary?from=2000-01-01&to=2000-01-02"),
    );
    expect(summary).toMatchObject({ reports: 0, messages: 0, passed: 0, pass_rate: null, sources: [] });
  });

  it("pages reports with cursors", async () => {
    const seen: string[] = [];
    let cursor = "";
    do {
      const page = await json(
        await call("GET", `/api/v1/domains/a.reports.test/dmarc/reports?limit=3${cursor ? `&cursor=${cursor}` : ""}`),
      );
      seen.push(...page.items.map((r: { report_id: string }) => r.report_id));
      cursor = page.next_cursor ?? "";
    } while (cursor);
    expect(seen.sort()).toEqual(reports.map((r) => r.report_metadata.report_id).sort());
  });

  it("lists TLS reports beside them", async () => {
    const page = await json(await call("GET", "/api/v1/domains/a.reports.test/tls/reports"));
    expect(page.items).toHaveLength(1);
    expect(page.items[0].policies.length).toBeGreaterThan(0);
  });

  it("lets a domain token read its own domain's reports and no other's", async () => {
    const own = await json(
      await call("POST", "/api/v1/tokens", ADMIN, { name: "a", scopes: ["domain:a.reports.test"] }),
      201,
    );
    const other = await json(
      await call("POST", "/api/v1/tokens", ADMIN, { name: "b", scopes: ["domain:b.reports.test"] }),
      201,
    );
    for (const path of ["dmarc/reports", "dmarc/summary", "dmarc/sources/192.0.2.1", "tls/reports"]) {
      expect((await call("GET", `/api/v1/domains/a.reports.test/${path}`, other.token)).status, path).toBe(403);
    }
    const page = await json(await call("GET", "/api/v1/domains/a.reports.test/dmarc/reports", own.token));
    expect(page.items).toHaveLength(FILES.length);
    const empty = await json(await call("GET", "/api/v1/domains/b.reports.test/dmarc/reports", other.token));
    expect(empty.items).toEqual([]);
  });
});
