/**
 * A domain's health: who sends as it and whether they pass DMARC (the aggregate reports, RFC 7489
 * section 7.2), the TLS reports beside them (RFC 8460), and the DNS health check with its fixes.
 * Every number comes from the same API routes a script would call, as the signed-in principal,
 * so a domain:<name> token sees its own domain only (403 for another, 404 for none).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { apiGet, enc, query } from "../call";
import type { WebEnv } from "../env";
import { PassFailChart } from "../pass-fail-chart";
import { render } from "../respond";
import { HealthFindings, type Period, SourceRows, SourceTable, TlsReports } from "./domain-health-parts";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/reports/routes.ts)
type Json = any;

const TLS_REPORTS_SHOWN = 10;

export function DomainHealthPage(props: { domain: string; summary: Json; tls: Json; health: Json; period: Period }) {
  const s = props.summary;
  const failing = (s.sources ?? []).filter((x: Json) => x.failed > 0).length;
  return (
    <>
      <p>
        <a href={`/admin/domains/${enc(props.domain)}`}>← {props.domain} settings and records</a>
      </p>
      <form method="get" class="toolbar" action={`/admin/domains/${enc(props.domain)}/health`}>
        <label for="from">From</label>
        <input type="date" id="from" name="from" value={String(s.from).slice(0, 10)} />
        <label for="to">To</label>
        <input type="date" id="to" name="to" value={String(s.to).slice(0, 10)} />
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      <h2>DMARC</h2>
      <p id="dmarc-totals">
        {s.reports} reports, {s.messages} messages: {s.passed} passed, {s.failed} failed
        {s.pass_rate === null ? "" : ` (${Math.round(s.pass_rate * 1000) / 10}% pass)`}.
        {failing > 0 ? ` ${failing} sources fail: see what to do below.` : ""}
      </p>
      <PassFailChart days={s.days ?? []} from={Date.parse(s.from)} to={Date.parse(s.to)} />
      <h2>Sources</h2>
      <p class="help">The senders using {props.domain} in From, by address; the address opens its report records.</p>
      <SourceTable domain={props.domain} sources={s.sources ?? []} period={props.period} />
      <h2>SMTP TLS reports</h2>
      <TlsReports items={props.tls.items ?? []} />
      <h2>DNS health</h2>
      <HealthFindings health={props.health} />
    </>
  );
}

export function SourcePage(props: { domain: string; detail: Json; period: Period }) {
  const source = props.detail.source;
  return (
    <>
      <p>
        <a href={`/admin/domains/${enc(props.domain)}/health${query({ ...props.period })}`}>← {props.domain} health</a>
      </p>
      <p id="source-summary">
        {source.reverse_dns ? `${source.reverse_dns}: ` : ""}
        {source.messages} messages, {source.passed} passed DMARC, {source.failed} failed.
      </p>
      <p id="source-advice" data-action={source.action}>
        <strong>What to do:</strong> {source.advice}
      </p>
      <SourceRows rows={props.detail.rows ?? []} />
    </>
  );
}

/** from/to as the page was asked for them (passed through to the API, which validates them). */
function periodOf(c: Context<WebEnv>): Period {
  return { from: c.req.query("from") || undefined, to: c.req.query("to") || undefined };
}

export const domainHealthPages = new Hono<WebEnv>()
  .get("/domains/:domain/health", async (c) => {
    const domain = c.req.param("domain");
    const period = periodOf(c);
    const base = `/domains/${enc(domain)}`;
    const [summary, tls, health] = await Promise.all([
      apiGet(c, `${base}/dmarc/summary${query({ ...period })}`),
      apiGet(c, `${base}/tls/reports${query({ limit: String(TLS_REPORTS_SHOWN) })}`),
      apiGet(c, `${base}/health`),
    ]);
    return render(
      c,
      `${domain}: domain health`,
      <DomainHealthPage domain={domain} summary={summary} tls={tls} health={health} period={period} />,
    );
  })
  .get("/domains/:domain/health/sources/:ip", async (c) => {
    const domain = c.req.param("domain");
    const ip = c.req.param("ip");
    const period = periodOf(c);
    const detail = await apiGet(c, `/domains/${enc(domain)}/dmarc/sources/${enc(ip)}${query({ ...period })}`);
    return render(c, `${domain}: source ${ip}`, <SourcePage domain={domain} detail={detail} period={period} />);
  });
