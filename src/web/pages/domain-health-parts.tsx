/**
 * The pieces of the domain-health page, rendered from the report and health API's JSON
 * (src/api/reports/routes.ts, src/api/domain-health). Everything shown comes from reporters or
 * from DNS, so it is text: hono/jsx escapes it, and nothing from a report becomes a link target
 * other than our own drill-down URL with the address encoded.
 */
import { enc, query } from "../call";
import { FindingsTable } from "../findings-table";
import { Empty } from "../layout";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/reports/routes.ts)
type Json = any;

export interface Period {
  from?: string;
  to?: string;
}

const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : "—");

/** The senders using the domain, whether they align, and what to do about each failing one. */
export function SourceTable(props: { domain: string; sources: Json[]; period: Period }) {
  if (props.sources.length === 0) return <Empty>No DMARC aggregate reports in this period.</Empty>;
  const base = `/admin/domains/${enc(props.domain)}/health/sources`;
  return (
    <table id="sources">
      <thead>
        <tr>
          <th scope="col">Source</th>
          <th scope="col">Reverse DNS</th>
          <th scope="col">Messages</th>
          <th scope="col">DMARC pass</th>
          <th scope="col">DKIM aligned</th>
          <th scope="col">SPF aligned</th>
          <th scope="col">What to do</th>
        </tr>
      </thead>
      <tbody>
        {props.sources.map((s) => (
          <tr data-action={s.action}>
            <td class="mono">
              <a href={`${base}/${enc(s.source_ip)}${query({ from: props.period.from, to: props.period.to })}`}>
                {s.source_ip}
              </a>
            </td>
            <td class="mono">{s.reverse_dns ?? "—"}</td>
            <td>{s.messages}</td>
            <td class={s.failed > 0 ? "bad" : "ok"}>{percent(s.passed, s.messages)}</td>
            <td>{percent(s.dkim_passed, s.messages)}</td>
            <td>{percent(s.spf_passed, s.messages)}</td>
            <td>{s.advice}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function results(list: Json[], key: "selector" | "scope"): string {
  if (!Array.isArray(list) || list.length === 0) return "—";
  return list.map((r) => `${r?.domain ?? "?"}${r?.[key] ? ` (${r[key]})` : ""}: ${r?.result ?? "?"}`).join(", ");
}

/** The records a source's reports hold: one row per report record. */
export function SourceRows(props: { rows: Json[] }) {
  return (
    <table id="records">
      <thead>
        <tr>
          <th scope="col">Reporter</th>
          <th scope="col">Period</th>
          <th scope="col">Count</th>
          <th scope="col">Disposition</th>
          <th scope="col">DKIM / SPF aligned</th>
          <th scope="col">From / envelope</th>
          <th scope="col">DKIM results</th>
          <th scope="col">SPF results</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr>
            <td>{r.org_name}</td>
            <td>
              {String(r.begin).slice(0, 10)} – {String(r.end).slice(0, 10)}
            </td>
            <td>{r.count}</td>
            <td>{r.disposition ?? "—"}</td>
            <td>
              {r.dkim ?? "—"} / {r.spf ?? "—"}
            </td>
            <td class="mono">
              {r.header_from ?? "—"} / {r.envelope_from ?? "—"}
            </td>
            <td class="mono">{results(r.dkim_results, "selector")}</td>
            <td class="mono">{results(r.spf_results, "scope")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function failureText(detail: Json): string {
  const parts = [
    detail?.["result-type"],
    detail?.["receiving-mx-hostname"] ? `MX ${detail["receiving-mx-hostname"]}` : null,
    detail?.["sending-mta-ip"] ? `from ${detail["sending-mta-ip"]}` : null,
    detail?.["failed-session-count"] !== undefined ? `${detail["failed-session-count"]} sessions` : null,
  ];
  return parts.filter((p) => p !== null && p !== undefined).join(", ");
}

/** SMTP TLS reports (RFC 8460): sessions that negotiated TLS under the policy, and those that failed. */
export function TlsReports(props: { items: Json[] }) {
  if (props.items.length === 0) return <Empty>No SMTP TLS reports yet.</Empty>;
  return (
    <table id="tls-reports">
      <thead>
        <tr>
          <th scope="col">Reporter</th>
          <th scope="col">Period</th>
          <th scope="col">Policies</th>
          <th scope="col">Successful</th>
          <th scope="col">Failed</th>
          <th scope="col">Failures</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((t) => (
          <tr>
            <td>{t.org_name}</td>
            <td>
              {String(t.start ?? "").slice(0, 10)} – {String(t.end ?? "").slice(0, 10)}
            </td>
            <td class="mono">
              {(t.policies ?? []).map((p: Json) => `${p?.policy_type ?? "?"} ${p?.policy_domain ?? ""}`).join(", ")}
            </td>
            <td>{t.successful}</td>
            <td class={t.failed > 0 ? "bad" : "ok"}>{t.failed}</td>
            <td>
              {(t.policies ?? [])
                .flatMap((p: Json) => (Array.isArray(p?.failure_details) ? p.failure_details : []))
                .map(failureText)
                .join("; ") || "—"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The DNS health check's findings, each with its exact fix and the record to publish. */
export function HealthFindings(props: { health: Json }) {
  const findings: Json[] = props.health.findings ?? [];
  return (
    <>
      <p class={props.health.healthy ? "ok" : "bad"} id="health-verdict">
        {props.health.healthy ? "No errors" : "Errors found"}; passed:{" "}
        {(props.health.passed ?? []).join(", ") || "none"}.
      </p>
      {findings.length === 0 ? null : <FindingsTable id="findings" findings={findings} />}
    </>
  );
}
