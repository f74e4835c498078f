/**
 * The live DNS check of one domain: GET /api/v1/domains/{domain}/health (health/check.ts through
 * the Worker's DoH resolver) compares what the domain publishes with what Facteur expects, and
 * each finding says what to fix, with the record to publish and a copy button.
 */
import { Hono } from "hono";
import { apiGet, enc } from "../call";
import type { WebEnv } from "../env";
import { FindingsTable } from "../findings-table";
import { Empty, Notice, when } from "../layout";
import { render } from "../respond";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/domain-health DomainHealth)
type Json = any;

export function DnsCheck(props: { report: Json }) {
  const r = props.report;
  const findings: Json[] = r.findings ?? [];
  return (
    <>
      <p>
        Checked {when(r.checked_at)} through the Worker's DNS-over-HTTPS resolver.{" "}
        <a href={`/admin/domains/${enc(r.domain)}/dns-check`}>Check again</a>
      </p>
      <Notice kind={r.healthy ? "ok" : "error"}>
        {r.healthy ? "No error: what is published matches." : "Some records need fixing (below)."}
      </Notice>
      <p>Passed: {(r.passed ?? []).join(", ") || "none"}.</p>
      {findings.length === 0 ? <Empty>Nothing to fix.</Empty> : <FindingsTable id="dns-findings" findings={findings} />}
      <p>
        <a href={`/admin/domains/${enc(r.domain)}`}>Back to {r.domain}</a>
      </p>
    </>
  );
}

export const dnsCheckPages = new Hono<WebEnv>().get("/domains/:name/dns-check", async (c) => {
  const report = await apiGet(c, `/domains/${enc(c.req.param("name"))}/health`);
  return render(c, `DNS check of ${report.domain}`, <DnsCheck report={report} />, 200, "/admin/domains");
});
