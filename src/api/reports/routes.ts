import { z } from "@hono/zod-openapi";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { DomainName, Timestamp } from "../schemas";

const DomainParam = z.object({ domain: DomainName.openapi({ param: { name: "domain", in: "path" } }) });

const Instant = z
  .string()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), "an ISO 8601 date or date-time, e.g. 2026-11-01");

/** A period of report start times; the default is the 30 days before now. */
const Period = z.object({
  from: Instant.optional().openapi({ description: "Start (inclusive), ISO 8601", example: "2026-11-01" }),
  to: Instant.optional().openapi({ description: "End (exclusive), ISO 8601", example: "2026-12-01" }),
});

const DmarcReport = z
  .object({
    id: z.string(),
    org_name: z.string(),
    report_id: z.string(),
    email: z.string().nullable(),
    begin: Timestamp,
    end: Timestamp,
    policy_domain: z.string().nullable(),
    policy: z.string().nullable().openapi({ description: "p= of the published policy, as the reporter saw it" }),
    records: z.number().int(),
    messages: z.number().int(),
    received_at: Timestamp,
  })
  .openapi("DmarcReport");

const Source = z
  .object({
    source_ip: z.string(),
    reverse_dns: z.string().nullable().openapi({ description: "PTR name through DoH, null when none answered" }),
    messages: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    dkim_passed: z.number().int(),
    spf_passed: z.number().int(),
    dkim_authenticated: z
      .number()
      .int()
      .openapi({ description: "Messages with a verified DKIM signature of any domain, aligned or not" }),
    spf_authenticated: z.number().int().openapi({ description: "Messages passing SPF for any domain, aligned or not" }),
    advice: z.string().openapi({ description: "What to do about this source, in one line" }),
    action: z
      .enum(["none", "add-to-spf", "sign-with-dkim", "spoofing"])
      .openapi({ description: "The advice, as a code" }),
  })
  .openapi("DmarcSource");

const DmarcSummary = z
  .object({
    domain: z.string(),
    from: Timestamp,
    to: Timestamp,
    reports: z.number().int(),
    messages: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    pass_rate: z.number().nullable().openapi({ description: "passed / messages; null without messages" }),
    days: z.array(z.object({ day: z.string(), messages: z.number().int(), passed: z.number().int() })),
    sources: z.array(Source),
  })
  .openapi("DmarcSummary");

const SourceRow = z
  .object({
    report: z.string(),
    org_name: z.string(),
    begin: Timestamp,
    end: Timestamp,
    count: z.number().int(),
    disposition: z.string().nullable(),
    dkim: z.string().nullable(),
    spf: z.string().nullable(),
    reasons: z.array(z.any()),
    header_from: z.string().nullable(),
    envelope_from: z.string().nullable(),
    envelope_to: z.string().nullable(),
    dkim_results: z.array(z.any()),
    spf_results: z.array(z.any()),
  })
  .openapi("DmarcSourceRow");

const TlsReport = z
  .object({
    id: z.string(),
    org_name: z.string(),
    report_id: z.string(),
    contact_info: z.string().nullable(),
    start: z.string().nullable(),
    end: z.string().nullable(),
    successful: z.number().int(),
    failed: z.number().int(),
    policies: z.array(z.any()),
    received_at: Timestamp,
  })
  .openapi("TlsReport");

export const listDmarcReports = apiRoute("domain", {
  method: "get",
  path: "/domains/{domain}/dmarc/reports",
  tags: ["reports"],
  summary: "DMARC aggregate reports received for the domain (RFC 7489 section 7.2), newest period first",
  request: { params: DomainParam, query: PageQuery },
  responses: { 200: json(pageSchema(DmarcReport, "DmarcReportPage"), "A page of reports") },
});

export const getDmarcSummary = apiRoute("domain", {
  method: "get",
  path: "/domains/{domain}/dmarc/summary",
  tags: ["reports"],
  summary: "Volume, DMARC pass rate, a per-day series and the top sources of a period",
  request: { params: DomainParam, query: Period },
  responses: { 200: json(DmarcSummary, "The summary") },
});

export const getDmarcSource = apiRoute("domain", {
  method: "get",
  path: "/domains/{domain}/dmarc/sources/{ip}",
  tags: ["reports"],
  summary: "Every reported record of one source IP in a period",
  request: {
    params: DomainParam.extend({ ip: z.union([z.ipv4(), z.ipv6()]).openapi({ param: { name: "ip", in: "path" } }) }),
    query: Period,
  },
  responses: {
    200: json(
      z.object({ domain: z.string(), source: Source, rows: z.array(SourceRow) }).openapi("DmarcSourceDetail"),
      "The source and its rows",
    ),
  },
});

export const listTlsReports = apiRoute("domain", {
  method: "get",
  path: "/domains/{domain}/tls/reports",
  tags: ["reports"],
  summary: "SMTP TLS reports received for the domain (RFC 8460), newest first",
  request: { params: DomainParam, query: PageQuery },
  responses: { 200: json(pageSchema(TlsReport, "TlsReportPage"), "A page of reports") },
});
