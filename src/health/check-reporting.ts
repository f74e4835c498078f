/**
 * The health checks of the records that carry reports and transport security: DMARC (RFC 7489
 * section 6.3, with rua reaching Facteur), MTA-STS (RFC 8461 section 3.1) and TLS-RPT (RFC 8460
 * section 3).
 */

import type { Resolver } from "../dns/types";
import { type Finding, type HealthInput, lookupFailed } from "./finding";
import { txtRecords, versioned } from "./lookup";
import { mtaStsPolicyId, mtaStsRecord } from "./mta-sts";
import { dmarcRua, mtaStsPolicyFor, REPORT_AUTHORIZATION, reportAuthorizationName, tlsRptRecord } from "./records";

function tags(record: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of record.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

export async function checkDmarc(resolver: Resolver, input: HealthInput): Promise<Finding[]> {
  const [policy, authorization] = await Promise.all([
    checkDmarcPolicy(resolver, input),
    checkReportAuthorization(resolver, input),
  ]);
  return [...policy, ...authorization];
}

/**
 * RFC 7489 section 7.1: a reporter sends to a rua outside the policy domain only when the
 * receiver publishes `<domain>._report._dmarc.<receiver>` with v=DMARC1; without it the
 * reports are silently not sent.
 */
async function checkReportAuthorization(resolver: Resolver, { domain, settings }: HealthInput): Promise<Finding[]> {
  const receiver = settings.dmarcReceiverLocal ? settings.dmarcReportDomain : null;
  if (!receiver) return [];
  const name = reportAuthorizationName(domain, receiver);
  const answer = await txtRecords(resolver, name);
  if (!answer.ok) return [lookupFailed("dmarc", name, answer.error)];
  if (versioned(answer.values, "DMARC1").length > 0) return [];
  return [
    {
      check: "dmarc",
      severity: "error",
      problem: `${receiver} does not authorize ${domain}'s reports (${name} is missing, RFC 7489 section 7.1): reporters send no aggregate reports`,
      fix: `publish the record in the ${receiver} zone`,
      record: { type: "TXT", name, content: REPORT_AUTHORIZATION },
    },
  ];
}

async function checkDmarcPolicy(resolver: Resolver, { domain, settings }: HealthInput): Promise<Finding[]> {
  const name = `_dmarc.${domain}`;
  const rua = dmarcRua(domain, settings);
  const record = { type: "TXT" as const, name, content: `v=DMARC1; p=none; adkim=r; aspf=r; rua=${rua}` };
  const answer = await txtRecords(resolver, name);
  if (!answer.ok) return [lookupFailed("dmarc", name, answer.error)];
  const records = versioned(answer.values, "DMARC1");
  if (records.length !== 1) {
    // RFC 7489 section 6.6.3: none, or more than one, means no policy at all.
    const problem =
      records.length === 0
        ? `${name} publishes no DMARC record`
        : `${name} publishes ${records.length} DMARC records, so none applies (RFC 7489 section 6.6.3)`;
    return [{ check: "dmarc", severity: "error", problem, fix: "publish exactly one record", record }];
  }
  const published = records[0] ?? "";
  const parsed = tags(published);
  const p = parsed.get("p")?.toLowerCase();
  const out: Finding[] = [];
  if (!p || !["none", "quarantine", "reject"].includes(p)) {
    out.push({
      check: "dmarc",
      severity: "error",
      problem: `DMARC p=${p ?? "(missing)"} is not a policy (RFC 7489 section 6.3)`,
      fix: "set p=none, p=quarantine or p=reject",
      record: { ...record, content: published.replace(/;\s*p=[^;]*/i, "").replace(/^(\s*v=DMARC1)/i, "$1; p=none") },
    });
  } else if (p === "none") {
    out.push({
      check: "dmarc",
      severity: "info",
      problem: "DMARC p=none only monitors: spoofed mail is still delivered",
      fix: "once the summary shows every legitimate source passing, raise p= to quarantine, then reject",
    });
  }
  const ruas = (parsed.get("rua") ?? "").split(",").map((u) => u.trim().toLowerCase());
  if (!ruas.includes(rua.toLowerCase())) {
    out.push({
      check: "dmarc",
      severity: "warning",
      problem: `DMARC rua does not reach Facteur (${rua}): no aggregate reports will be stored`,
      fix: `add ${rua} to rua=`,
      record: {
        ...record,
        content: parsed.has("rua")
          ? published.replace(/(rua=)([^;]*)/i, (_m, tag: string, list: string) => `${tag}${list.trim()},${rua}`)
          : `${published.replace(/;\s*$/, "")}; rua=${rua}`,
      },
    });
  }
  return out;
}

export async function checkMtaSts(resolver: Resolver, { domain, settings }: HealthInput): Promise<Finding[]> {
  const name = `_mta-sts.${domain}`;
  const record = { type: "TXT" as const, name, content: mtaStsRecord(await mtaStsPolicyId(mtaStsPolicyFor(settings))) };
  const answer = await txtRecords(resolver, name);
  if (!answer.ok) return [lookupFailed("mta-sts", name, answer.error)];
  const records = versioned(answer.values, "STSv1");
  if (records.length === 0) {
    return [
      {
        check: "mta-sts",
        severity: "warning",
        problem: `${name} is not published: senders do not use MTA-STS`,
        fix: "publish the record",
        record,
      },
    ];
  }
  const id = tags(records[0] ?? "").get("id");
  if (records.length > 1 || id !== record.content.slice(record.content.indexOf("id=") + 3)) {
    return [
      {
        check: "mta-sts",
        severity: "warning",
        problem: `${name} announces id ${id ?? "(none)"}, not the current policy's: senders keep a stale policy (RFC 8461 section 3.1)`,
        fix: "replace the record",
        record,
      },
    ];
  }
  return [];
}

export async function checkTlsRpt(resolver: Resolver, { domain, settings }: HealthInput): Promise<Finding[]> {
  const name = `_smtp._tls.${domain}`;
  const record = { type: "TXT" as const, name, content: tlsRptRecord(domain, settings) };
  const answer = await txtRecords(resolver, name);
  if (!answer.ok) return [lookupFailed("tls-rpt", name, answer.error)];
  const records = versioned(answer.values, "TLSRPTv1");
  const wanted = `mailto:${settings.tlsReportLocal}@${domain}`.toLowerCase();
  const ruas = (tags(records[0] ?? "").get("rua") ?? "").split(",").map((u) => u.trim().toLowerCase());
  if (records.length === 1 && ruas.includes(wanted)) return [];
  const problem =
    records.length === 0
      ? `${name} is not published: no TLS reports will arrive`
      : records.length > 1
        ? `${name} publishes ${records.length} TLS-RPT records (RFC 8460 section 3 allows one)`
        : `${name} rua does not reach Facteur (${wanted})`;
  return [{ check: "tls-rpt", severity: "warning", problem, fix: "publish the record", record }];
}
