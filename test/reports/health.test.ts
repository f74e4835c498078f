/**
 * GET /domains/{domain}/health over a declared zone: a domain that publishes exactly what the API
 * says is healthy with no finding; a domain with each kind of mistake gets each one named, with
 * its severity and the record that fixes it.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api";
import { insertDomain } from "../../src/store/domains";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const zone: Zone = {};
const app = createApp({ resolverFor: () => createZoneResolver(zone) });
let ip = 0;

async function call(method: string, path: string) {
  ip++;
  const headers = { authorization: "Bearer test-admin-token", "cf-connecting-ip": `203.0.113.${ip % 250}` };
  const response = await app.request(`https://facteur.test${path}`, { method, headers }, env);
  const text = await response.text();
  expect(response.status, text).toBeLessThan(300);
  return JSON.parse(text);
}

interface Rec {
  type: "TXT" | "MX";
  name: string;
  content: string;
  priority?: number;
}

interface Finding {
  check: string;
  severity: string;
  problem: string;
  fix: string;
  record?: { type: string; name: string; content: string };
}

function publishAll(records: Rec[], tweak: (r: Rec) => Rec | null = (r) => r) {
  for (const original of records) {
    const record = tweak(original);
    if (!record) continue;
    const node = zone[record.name] ?? {};
    zone[record.name] = node;
    if (record.type === "MX")
      node.MX = [...(node.MX ?? []), { exchange: record.content, priority: record.priority ?? 10 }];
    else node.TXT = [...(node.TXT ?? []), record.content];
  }
}

const badDkimNames: string[] = [];
const summary = (findings: Finding[]) => findings.map((f) => `${f.check} ${f.severity}: ${f.problem}`).sort();

beforeAll(async () => {
  await env.DB.batch([
    insertDomain(env.DB, { name: "good.test" }),
    insertDomain(env.DB, { name: "bad.test" }),
    insertDomain(env.DB, { name: "syntax.test" }),
    insertDomain(env.DB, { name: "relay.test", relayUrl: "mailgun://api:key-1@mg.relay.test" }),
  ]);
  for (const domain of ["good.test", "bad.test", "syntax.test"]) await call("POST", `/api/v1/domains/${domain}/dkim`);
  await call("POST", "/api/v1/domains/bad.test/dkim"); // a second key, left unpublished
  // good.test: exactly the records the API hands out, with DMARC raised to p=reject.
  const good = (await call("GET", "/api/v1/domains/good.test/dkim")).records as Rec[];
  publishAll(good, (r) =>
    r.name === "_dmarc.good.test" ? { ...r, content: r.content.replace("p=none", "p=reject") } : r,
  );
  // bad.test: one of each mistake.
  const bad = (await call("GET", "/api/v1/domains/bad.test/dkim")).records as Rec[];
  const firstDkim = bad.find((r) => r.name.endsWith("._domainkey.bad.test"));
  badDkimNames.push(...bad.filter((r) => r.name.endsWith("._domainkey.bad.test")).map((r) => r.name));
  publishAll(bad, (r) => {
    if (r.type === "MX") return r.content === "route1.mx.cloudflare.net" ? r : null; // two MX missing
    if (r.name === "bad.test") return { ...r, content: "v=spf1 include:spf.lookups.test ~all" }; // no Email Routing include
    if (r === firstDkim) return { ...r, content: r.content.replace(/p=.{8}/, "p=AAAAAAAA") }; // another key
    if (r.name.endsWith("._domainkey.bad.test")) return null; // not published
    if (r.name === "_dmarc.bad.test") return { ...r, content: "v=DMARC1; p=none; rua=mailto:reports@elsewhere.test" };
    if (r.name === "_mta-sts.bad.test") return { ...r, content: "v=STSv1; id=20240101" }; // stale id
    if (r.name === "_smtp._tls.bad.test") return null; // no TLS-RPT
    return r;
  });
  publishAll([{ type: "MX", name: "bad.test", content: "mx.other-provider.test", priority: 5 }]);
  // An include chain that costs 12 lookups (RFC 7208 section 4.6.4 allows 10).
  zone["spf.lookups.test"] = { TXT: ["v=spf1 a mx include:spf2.lookups.test -all"] };
  zone["spf2.lookups.test"] = {
    TXT: ["v=spf1 a mx a:x.test a:y.test mx:z.test exists:%{i}.e.test include:spf3.lookups.test"],
  };
  zone["spf3.lookups.test"] = { TXT: ["v=spf1 ip4:192.0.2.0/24 a -all"] };
  // syntax.test: a broken SPF term, two DMARC records, TLS-RPT pointing elsewhere, no MTA-STS.
  const syntax = (await call("GET", "/api/v1/domains/syntax.test/dkim")).records as Rec[];
  publishAll(syntax, (r) => {
    if (r.name === "syntax.test" && r.type === "TXT")
      return { ...r, content: "v=spf1 include:_spf.mx.cloudflare.net ip4:300.1 ~all" };
    if (r.name === "_smtp._tls.syntax.test") return { ...r, content: "v=TLSRPTv1; rua=mailto:tls@elsewhere.test" };
    if (r.name === "_mta-sts.syntax.test") return null;
    return r;
  });
  publishAll([{ type: "TXT", name: "_dmarc.syntax.test", content: "v=DMARC1; p=reject" }]);
  // relay.test: relays through Mailgun, but SPF only names Email Routing.
  const relay = (await call("GET", "/api/v1/domains/relay.test/dkim")).records as Rec[];
  publishAll(relay, (r) =>
    r.name === "_dmarc.relay.test" ? { ...r, content: r.content.replace("p=none", "p=reject") } : r,
  );
});

describe("DNS health", () => {
  it("finds nothing wrong with a domain that publishes exactly the records the API returns", async () => {
    const health = await call("GET", "/api/v1/domains/good.test/health");
    expect(health.findings).toEqual([]);
    expect(health.healthy).toBe(true);
    expect(health.passed).toEqual(["mx", "spf", "dkim", "dmarc", "mta-sts", "tls-rpt"]);
  });

  it("names each mistake with its severity and fix", async () => {
    const health = await call("GET", "/api/v1/domains/bad.test/health");
    expect(health.healthy).toBe(false);
    const findings = health.findings as Finding[];
    expect(summary(findings)).toEqual(
      [
        "mx error: MX route2.mx.cloudflare.net is missing: mail for bad.test does not all reach Email Routing",
        "mx error: MX route3.mx.cloudflare.net is missing: mail for bad.test does not all reach Email Routing",
        "mx error: MX mx.other-provider.test is not Email Routing's: mail delivered there never reaches Facteur",
        "spf error: SPF does not include _spf.mx.cloudflare.net: mail Email Routing forwards fails SPF",
        "spf error: SPF needs 12 DNS lookups, over the limit of 10 (RFC 7208 section 4.6.4): it fails everywhere",
        `dkim error: ${badDkimNames[0]} publishes a different key than the one Facteur signs with: signatures fail`,
        `dkim error: ${badDkimNames[1]} is not published`,
        "dmarc info: DMARC p=none only monitors: spoofed mail is still delivered",
        "dmarc warning: DMARC rua does not reach Facteur (mailto:dmarc-reports@bad.test): no aggregate reports will be stored",
        "mta-sts warning: _mta-sts.bad.test announces id 20240101, not the current policy's: senders keep a stale policy (RFC 8461 section 3.1)",
        "tls-rpt warning: _smtp._tls.bad.test is not published: no TLS reports will arrive",
      ].sort(),
    );
    const fixOf = (check: string, match: RegExp) =>
      findings.find((f) => f.check === check && match.test(f.problem))?.record;
    expect(fixOf("spf", /include/)?.content).toBe(
      "v=spf1 include:spf.lookups.test include:_spf.mx.cloudflare.net ~all",
    );
    expect(fixOf("dmarc", /rua/)?.content).toBe(
      "v=DMARC1; p=none; rua=mailto:reports@elsewhere.test,mailto:dmarc-reports@bad.test",
    );
    expect(fixOf("tls-rpt", /./)?.content).toBe("v=TLSRPTv1; rua=mailto:tls-reports@bad.test");
    const published = (await call("GET", "/api/v1/domains/bad.test/dkim")).records as Rec[];
    expect(fixOf("mta-sts", /./)).toEqual(
      expect.objectContaining({ content: published.find((r) => r.name === "_mta-sts.bad.test")?.content }),
    );
    const dkimFix = fixOf("dkim", /different key/);
    expect(published.find((r) => r.name === dkimFix?.name)?.content).toBe(dkimFix?.content);
  });

  it("names syntax mistakes: a bad SPF term, two DMARC records, a TLS-RPT rua elsewhere, no MTA-STS", async () => {
    const health = await call("GET", "/api/v1/domains/syntax.test/health");
    expect(summary(health.findings)).toEqual(
      [
        'spf error: SPF term "ip4:300.1" is not valid (RFC 7208 section 4.6.1)',
        "dmarc error: _dmarc.syntax.test publishes 2 DMARC records, so none applies (RFC 7489 section 6.6.3)",
        "mta-sts warning: _mta-sts.syntax.test is not published: senders do not use MTA-STS",
        "tls-rpt warning: _smtp._tls.syntax.test rua does not reach Facteur (mailto:tls-reports@syntax.test)",
      ].sort(),
    );
  });

  it("asks for the relay's SPF include when the domain relays through it", async () => {
    const health = await call("GET", "/api/v1/domains/relay.test/health");
    expect(summary(health.findings)).toEqual([
      "dkim warning: relay.test has no DKIM key: list mail and submissions go out unsigned",
      "spf error: SPF does not include mailgun.org: mail the relay sends fails SPF",
    ]);
  });
});
