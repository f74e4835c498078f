import type { RouteHandler } from "@hono/zod-openapi";
import { reverseName } from "../../dns/reverse-name";
import type { Resolver } from "../../dns/types";
import { findDomainByName } from "../../store/domains";
import {
  listDmarcReports as listDmarcReportPage,
  listDmarcSourceRows,
  listTlsReports as listTlsReportPage,
  summarizeDmarcReports,
} from "../../store/report-reads";
import { assertDomainRead } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { notFound } from "../problem";
import { isoRequired } from "../schemas";
import { adviseSource, type SourceCounts } from "./advice";
import type { getDmarcSource, getDmarcSummary, listDmarcReports, listTlsReports } from "./routes";

/** Sources listed by the summary, each with a PTR lookup. */
export const TOP_SOURCES = 20;
/** Rows of one source returned at once. */
const MAX_SOURCE_ROWS = 500;
const DEFAULT_PERIOD_MS = 30 * 86_400_000;
/** A PTR lookup that takes longer is skipped: the name is a convenience, the counts are the answer. */
const REVERSE_DNS_TIMEOUT_MS = 1500;

async function requireDomain(db: D1Database, domain: string): Promise<void> {
  if (!(await findDomainByName(db, domain))) throw notFound(`domain ${domain}`);
}

function period(query: { from?: string; to?: string }): { from: number; to: number } {
  const to = query.to ? Date.parse(query.to) : Date.now();
  const from = query.from ? Date.parse(query.from) : to - DEFAULT_PERIOD_MS;
  return { from, to };
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The first PTR name of an address, or null (none, or no answer in time). */
async function reverseDns(resolver: Resolver, ip: string): Promise<string | null> {
  const name = reverseName(ip);
  if (!name) return null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), REVERSE_DNS_TIMEOUT_MS);
  });
  try {
    const answer = await Promise.race([resolver(name, "PTR").catch(() => null), timeout]);
    const first = Array.isArray(answer) ? answer[0] : null;
    return typeof first === "string" ? first.replace(/\.$/, "") : null;
  } finally {
    clearTimeout(timer);
  }
}

type Counts = SourceCounts & { source_ip: string };

async function describeSource(resolver: Resolver, domain: string, source: Counts) {
  const advice = adviseSource(source, domain);
  return {
    ...source,
    reverse_dns: await reverseDns(resolver, source.source_ip),
    failed: source.messages - source.passed,
    advice: advice.line,
    action: advice.action,
  };
}

const passes = (v: unknown) => typeof v === "string" && v.toLowerCase() === "pass";
/** Whether any result in an auth_results JSON array passed (aligned or not). */
function anyPass(json: string): boolean {
  const results = JSON.parse(json) as unknown;
  return Array.isArray(results) && results.some((r) => passes((r as { result?: unknown } | null)?.result));
}

export const listDmarcReportsHandler: RouteHandler<typeof listDmarcReports, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  assertDomainRead(c.get("access"), domain);
  await requireDomain(c.env.DB, domain);
  const page = await listDmarcReportPage(c.env.DB, domain, { limit, after: decodeCursor(cursor) });
  const body = pageBody(page, (r) => ({
    id: r.id,
    org_name: r.org_name,
    report_id: r.report_id,
    email: r.email,
    begin: isoRequired(r.begin_at * 1000),
    end: isoRequired(r.end_at * 1000),
    policy_domain: r.policy_domain,
    policy: r.policy_p,
    records: r.record_count,
    messages: r.message_count,
    received_at: isoRequired(r.received_at),
  }));
  return c.json(body, 200);
};

export const getDmarcSummaryHandler: RouteHandler<typeof getDmarcSummary, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  assertDomainRead(c.get("access"), domain);
  await requireDomain(c.env.DB, domain);
  const { from, to } = period(c.req.valid("query"));
  const summary = await summarizeDmarcReports(c.env.DB, domain, seconds(from), seconds(to), TOP_SOURCES);
  const resolver = c.get("resolver");
  return c.json(
    {
      domain,
      from: isoRequired(from),
      to: isoRequired(to),
      reports: summary.reports,
      messages: summary.messages,
      passed: summary.passed,
      failed: summary.messages - summary.passed,
      pass_rate: summary.messages > 0 ? summary.passed / summary.messages : null,
      days: summary.days.map((d) => ({
        day: isoRequired(d.day * 1000).slice(0, 10),
        messages: d.messages,
        passed: d.passed,
      })),
      sources: await Promise.all(summary.sources.map((s) => describeSource(resolver, domain, s))),
    },
    200,
  );
};

export const getDmarcSourceHandler: RouteHandler<typeof getDmarcSource, ApiEnv> = async (c) => {
  const { domain, ip } = c.req.valid("param");
  assertDomainRead(c.get("access"), domain);
  await requireDomain(c.env.DB, domain);
  const { from, to } = period(c.req.valid("query"));
  const rows = await listDmarcSourceRows(c.env.DB, domain, ip, seconds(from), seconds(to), MAX_SOURCE_ROWS);
  if (rows.length === 0) throw notFound(`reports of source ${ip} for ${domain} in this period`);
  const counts: Counts = {
    source_ip: ip,
    messages: 0,
    passed: 0,
    dkim_passed: 0,
    spf_passed: 0,
    dkim_authenticated: 0,
    spf_authenticated: 0,
  };
  for (const row of rows) {
    counts.messages += row.count;
    if (passes(row.dkim_aligned) || passes(row.spf_aligned)) counts.passed += row.count;
    if (passes(row.dkim_aligned)) counts.dkim_passed += row.count;
    if (passes(row.spf_aligned)) counts.spf_passed += row.count;
    if (anyPass(row.dkim_results)) counts.dkim_authenticated += row.count;
    if (anyPass(row.spf_results)) counts.spf_authenticated += row.count;
  }
  return c.json(
    {
      domain,
      source: await describeSource(c.get("resolver"), domain, counts),
      rows: rows.map((r) => ({
        report: r.report,
        org_name: r.org_name,
        begin: isoRequired(r.begin_at * 1000),
        end: isoRequired(r.end_at * 1000),
        count: r.count,
        disposition: r.disposition,
        dkim: r.dkim_aligned,
        spf: r.spf_aligned,
        reasons: JSON.parse(r.reasons) as unknown[],
        header_from: r.header_from,
        envelope_from: r.envelope_from,
        envelope_to: r.envelope_to,
        dkim_results: JSON.parse(r.dkim_results) as unknown[],
        spf_results: JSON.parse(r.spf_results) as unknown[],
      })),
    },
    200,
  );
};

export const listTlsReportsHandler: RouteHandler<typeof listTlsReports, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  assertDomainRead(c.get("access"), domain);
  await requireDomain(c.env.DB, domain);
  const page = await listTlsReportPage(c.env.DB, domain, { limit, after: decodeCursor(cursor) });
  const body = pageBody(page, (r) => ({
    id: r.id,
    org_name: r.org_name,
    report_id: r.report_id,
    contact_info: r.contact_info,
    start: r.start_at,
    end: r.end_at,
    successful: r.total_successful,
    failed: r.total_failure,
    policies: JSON.parse(r.policies) as unknown[],
    received_at: isoRequired(r.received_at),
  }));
  return c.json(body, 200);
};
