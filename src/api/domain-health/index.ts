/** GET /api/v1/domains/{domain}/health: what the domain publishes in DNS against what Facteur expects. */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { checkDomainHealth } from "../../health/check";
import { listDkimKeys } from "../../store/dkim-keys";
import { findDomainByName, findDomainRelayUrl } from "../../store/domains";
import { findReportSettings } from "../../store/report-settings";
import { assertDomainRead } from "../access";
import type { ApiEnv } from "../env";
import { notFound } from "../problem";
import { apiRoute, json } from "../route";
import { DomainName, Timestamp } from "../schemas";

const CHECKS = ["mx", "spf", "dkim", "dmarc", "mta-sts", "tls-rpt"] as const;

const Finding = z
  .object({
    check: z.enum(CHECKS),
    severity: z.enum(["error", "warning", "info"]),
    problem: z.string(),
    fix: z.string().openapi({ description: "What to do, exactly" }),
    record: z
      .object({ type: z.enum(["TXT", "MX"]), name: z.string(), content: z.string() })
      .optional()
      .openapi({ description: "The record to publish (MX content: priority then host)" }),
  })
  .openapi("HealthFinding");

const Health = z
  .object({
    domain: z.string(),
    checked_at: Timestamp,
    healthy: z.boolean().openapi({ description: "No error-level finding" }),
    findings: z.array(Finding),
    passed: z.array(z.enum(CHECKS)),
  })
  .openapi("DomainHealth");

const getHealth = apiRoute("domain", {
  method: "get",
  path: "/domains/{domain}/health",
  tags: ["domains"],
  summary: "DNS health: MX, SPF (syntax, includes, 10 lookups), DKIM keys, DMARC, MTA-STS and TLS-RPT records",
  request: { params: z.object({ domain: DomainName.openapi({ param: { name: "domain", in: "path" } }) }) },
  responses: { 200: json(Health, "Findings, each with its fix") },
});

export const domainHealth = new OpenAPIHono<ApiEnv>().openapi(getHealth, async (c) => {
  const { domain } = c.req.valid("param");
  assertDomainRead(c.get("access"), domain);
  const row = await findDomainByName(c.env.DB, domain);
  const settings = await findReportSettings(c.env.DB, domain);
  if (!row || !settings) throw notFound(`domain ${domain}`);
  const keys = await listDkimKeys(c.env.DB, domain);
  const report = await checkDomainHealth(c.get("resolver"), {
    domain,
    keys,
    settings,
    relayUrl: (await findDomainRelayUrl(c.env.DB, domain)) ?? c.env.RELAY_URL ?? null,
  });
  return c.json(
    {
      domain,
      checked_at: new Date().toISOString(),
      healthy: !report.findings.some((f) => f.severity === "error"),
      findings: report.findings,
      passed: report.passed,
    },
    200,
  );
});
