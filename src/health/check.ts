/**
 * The DNS health of a domain: what is published, looked up through the resolver, against what
 * Facteur expects. Each finding says how bad it is and the exact record that fixes it.
 */
import { dkimTxt, EMAIL_ROUTING_MX } from "../credentials/dkim-keys";
import type { Resolver } from "../dns/types";
import { checkDmarc, checkMtaSts, checkTlsRpt } from "./check-reporting";
import { type Check, type Finding, type HealthInput, type HealthReport, lookupFailed } from "./finding";
import { mxHosts, txtRecords, versioned } from "./lookup";
import { countSpfLookups, MAX_SPF_LOOKUPS, parseSpf, relaySpfInclude } from "./spf";

const EMAIL_ROUTING_SPF = "_spf.mx.cloudflare.net";

export async function checkDomainHealth(resolver: Resolver, input: HealthInput): Promise<HealthReport> {
  const findings = (
    await Promise.all([
      checkMx(resolver, input),
      checkSpf(resolver, input),
      checkDkim(resolver, input),
      checkDmarc(resolver, input),
      checkMtaSts(resolver, input),
      checkTlsRpt(resolver, input),
    ])
  ).flat();
  const all: Check[] = ["mx", "spf", "dkim", "dmarc", "mta-sts", "tls-rpt"];
  return { findings, passed: all.filter((check) => !findings.some((f) => f.check === check)) };
}

async function checkMx(resolver: Resolver, { domain }: HealthInput): Promise<Finding[]> {
  const answer = await mxHosts(resolver, domain);
  if (!answer.ok) return [lookupFailed("mx", domain, answer.error)];
  const out: Finding[] = [];
  for (const [i, host] of EMAIL_ROUTING_MX.entries()) {
    if (answer.values.includes(host)) continue;
    out.push({
      check: "mx",
      severity: "error",
      problem: `MX ${host} is missing: mail for ${domain} does not all reach Email Routing`,
      fix: `publish MX ${host} (enable Email Routing for the zone, or add it by hand)`,
      record: { type: "MX", name: domain, content: `${(i + 1) * 10} ${host}` },
    });
  }
  for (const host of answer.values.filter((h) => !EMAIL_ROUTING_MX.includes(h))) {
    out.push({
      check: "mx",
      severity: "error",
      problem: `MX ${host} is not Email Routing's: mail delivered there never reaches Facteur`,
      fix: `delete the MX record ${domain} → ${host}`,
    });
  }
  return out;
}

async function checkSpf(resolver: Resolver, { domain, relayUrl }: HealthInput): Promise<Finding[]> {
  const answer = await txtRecords(resolver, domain);
  if (!answer.ok) return [lookupFailed("spf", domain, answer.error)];
  const records = versioned(answer.values, "spf1");
  const relay = relaySpfInclude(relayUrl);
  const includes = [EMAIL_ROUTING_SPF, ...(relay && relay !== EMAIL_ROUTING_SPF ? [relay] : [])];
  const suggested = `v=spf1 ${includes.map((i) => `include:${i}`).join(" ")} ~all`;
  const record = { type: "TXT" as const, name: domain, content: suggested };
  if (records.length === 0) {
    return [
      {
        check: "spf",
        severity: "error",
        problem: `${domain} publishes no SPF record`,
        fix: "publish the record",
        record,
      },
    ];
  }
  if (records.length > 1) {
    // RFC 7208 section 4.5: more than one record is a permerror.
    return [
      {
        check: "spf",
        severity: "error",
        problem: `${domain} publishes ${records.length} SPF records; receivers treat that as an error (RFC 7208 section 4.5)`,
        fix: "merge them into one record",
        record,
      },
    ];
  }
  const spf = records[0] ?? "";
  const parsed = parseSpf(spf);
  if ("invalid" in parsed) {
    return [
      {
        check: "spf",
        severity: "error",
        problem: `SPF term "${parsed.invalid}" is not valid (RFC 7208 section 4.6.1)`,
        fix: `correct or remove "${parsed.invalid}"`,
        record,
      },
    ];
  }
  const out: Finding[] = [];
  for (const include of includes) {
    if (parsed.terms.some((t) => t.lookup === "include" && t.target?.toLowerCase() === include)) continue;
    out.push({
      check: "spf",
      severity: "error",
      problem: `SPF does not include ${include}: mail ${include === EMAIL_ROUTING_SPF ? "Email Routing forwards" : "the relay sends"} fails SPF`,
      fix: `add include:${include} before the all mechanism`,
      record: { type: "TXT", name: domain, content: spf.replace(/(\s[+\-~?]?all)\s*$/i, ` include:${include}$1`) },
    });
  }
  const lookups = await countSpfLookups(resolver, parsed.terms);
  if (lookups > MAX_SPF_LOOKUPS) {
    out.push({
      check: "spf",
      severity: "error",
      problem: `SPF needs ${lookups} DNS lookups, over the limit of ${MAX_SPF_LOOKUPS} (RFC 7208 section 4.6.4): it fails everywhere`,
      fix: "remove include:, a, mx, ptr or exists terms you do not need, or replace them by ip4:/ip6: ranges",
    });
  }
  return out;
}

async function checkDkim(resolver: Resolver, { domain, keys }: HealthInput): Promise<Finding[]> {
  if (keys.length === 0) {
    return [
      {
        check: "dkim",
        severity: "warning",
        problem: `${domain} has no DKIM key: list mail and submissions go out unsigned`,
        fix: `POST /api/v1/domains/${domain}/dkim, then publish the record it returns`,
      },
    ];
  }
  const out: Finding[] = [];
  for (const key of keys) {
    const name = `${key.selector}._domainkey.${domain}`;
    const record = { type: "TXT" as const, name, content: dkimTxt(key) };
    const answer = await txtRecords(resolver, name);
    if (!answer.ok) {
      out.push(lookupFailed("dkim", name, answer.error));
      continue;
    }
    const published = versioned(answer.values, "DKIM1").concat(answer.values.filter((v) => !/v=/i.test(v)));
    const keysFound = published.map((v) => /(?:^|;)\s*p=([^;]*)/.exec(v)?.[1]?.replace(/\s+/g, "") ?? null);
    if (keysFound.length === 0) {
      out.push({
        check: "dkim",
        severity: "error",
        problem: `${name} is not published`,
        fix: "publish the record",
        record,
      });
    } else if (!keysFound.includes(key.publicKey)) {
      out.push({
        check: "dkim",
        severity: "error",
        problem: `${name} publishes a different key than the one Facteur signs with: signatures fail`,
        fix: "replace the record",
        record,
      });
    }
  }
  return out;
}
