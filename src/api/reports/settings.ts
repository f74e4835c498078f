/** GET/PATCH /api/v1/domains/{domain}/reporting: report addresses, retention and the MTA-STS policy. */
import { type RouteHandler, z } from "@hono/zod-openapi";
import { dmarcRua } from "../../health/records";
import { findDomainByName } from "../../store/domains";
import { findReportSettings, type ReportSettings, updateReportSettings } from "../../store/report-settings";
import { assertDomainRead, assertDomainWrite } from "../access";
import type { ApiEnv } from "../env";
import { invalid, notFound } from "../problem";
import { apiRoute, json } from "../route";
import { DomainName } from "../schemas";

const DomainParam = z.object({ domain: DomainName.openapi({ param: { name: "domain", in: "path" } }) });

/** A dot-atom local part (RFC 5322 section 3.4.1), lower-cased: routing compares it case-insensitively. */
const LocalPart = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/, "a dot-atom local part")
  .transform((s) => s.toLowerCase());

const Settings = z
  .object({
    dmarc_report_address: z.string().openapi({ description: "Where DMARC aggregate reports go (the DMARC rua)" }),
    dmarc_report_domain: z
      .string()
      .nullable()
      .openapi({ description: "The domain that receives this domain's DMARC reports; null for its own address" }),
    dmarc_reports_for: z.array(z.string()).openapi({
      description: "Domains whose DMARC reports this domain receives (it publishes their RFC 7489 7.1 authorization)",
    }),
    tls_report_address: z.string().openapi({ description: "Where SMTP TLS reports go (the _smtp._tls rua)" }),
    report_retention_days: z.number().int(),
    mta_sts_mode: z.enum(["testing", "enforce", "none"]),
    mta_sts_max_age: z.number().int(),
  })
  .openapi("ReportingSettings");

const SettingsPatch = z
  .object({
    dmarc_report_local: LocalPart.optional(),
    // RFC 7489 section 7.1: another domain Facteur serves may receive this one's reports.
    dmarc_report_domain: DomainName.nullable().optional(),
    tls_report_local: LocalPart.optional(),
    report_retention_days: z.number().int().min(1).max(3650).optional(),
    mta_sts_mode: z.enum(["testing", "enforce", "none"]).optional(),
    // RFC 8461 section 3.2: max_age is at most 31557600 seconds (about a year).
    mta_sts_max_age: z.number().int().min(60).max(31_557_600).optional(),
  })
  .strict();

export const getReporting = apiRoute("domain", {
  method: "get",
  path: "/domains/{domain}/reporting",
  tags: ["reports"],
  summary: "Report addresses, report retention and the MTA-STS policy settings of the domain",
  request: { params: DomainParam },
  responses: { 200: json(Settings, "The settings") },
});

export const patchReporting = apiRoute("domain", {
  method: "patch",
  path: "/domains/{domain}/reporting",
  tags: ["reports"],
  summary: "Change report addresses, retention or the MTA-STS mode and max_age (the _mta-sts id follows)",
  request: {
    params: DomainParam,
    body: { required: true, content: { "application/json": { schema: SettingsPatch } } },
  },
  responses: { 200: json(Settings, "The settings after the change") },
});

function body(domain: string, s: ReportSettings) {
  return {
    dmarc_report_address: dmarcRua(domain, s).slice("mailto:".length),
    dmarc_report_domain: s.dmarcReceiverLocal ? s.dmarcReportDomain : null,
    dmarc_reports_for: s.reportsFor,
    tls_report_address: `${s.tlsReportLocal}@${domain}`,
    report_retention_days: s.reportRetentionDays,
    mta_sts_mode: s.mtaStsMode,
    mta_sts_max_age: s.mtaStsMaxAge,
  };
}

async function settingsOf(db: D1Database, domain: string): Promise<ReportSettings> {
  const settings = await findReportSettings(db, domain);
  if (!settings) throw notFound(`domain ${domain}`);
  return settings;
}

export const getReportingHandler: RouteHandler<typeof getReporting, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  assertDomainRead(c.get("access"), domain);
  return c.json(body(domain, await settingsOf(c.env.DB, domain)), 200);
};

export const patchReportingHandler: RouteHandler<typeof patchReporting, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  const patch = c.req.valid("json");
  assertDomainWrite(c.get("access"), domain);
  const receiver = patch.dmarc_report_domain === domain ? null : patch.dmarc_report_domain;
  if (receiver && !(await findDomainByName(c.env.DB, receiver))) {
    throw invalid(
      "dmarc_report_domain",
      `${receiver} is not a domain Facteur serves: it could not receive the reports`,
    );
  }
  const changed = await updateReportSettings(c.env.DB, domain, {
    dmarcReportDomain: receiver,
    dmarcReportLocal: patch.dmarc_report_local,
    tlsReportLocal: patch.tls_report_local,
    reportRetentionDays: patch.report_retention_days,
    mtaStsMode: patch.mta_sts_mode,
    mtaStsMaxAge: patch.mta_sts_max_age,
  });
  if (!changed) throw notFound(`domain ${domain}`);
  return c.json(body(domain, await settingsOf(c.env.DB, domain)), 200);
};
