// `facteur dns check DOMAIN`: compares what the domain publishes (over DoH) with what Facteur needs:
// Email Routing's MX, an SPF record including Email Routing's, every DKIM record the Worker lists
// (GET /api/v1/domains/{domain}/dkim) and a DMARC record. Exit 1 when something is missing or wrong.
import { ApiError, call } from "../api.ts";
import { need, take } from "../args.ts";
import { resolve } from "../dns-wire.ts";
import { table } from "../output.ts";
import type { Context } from "./context.ts";

interface Check {
  record: string;
  name: string;
  expected: string;
  found: string;
  ok: boolean;
}

const MX_HOST = /(^|\s)route[123]\.mx\.cloudflare\.net\.?$/;

export async function checkDns(c: Context): Promise<void> {
  const domain = need(c.args, 0, "DOMAIN");
  const doh = take(c.args, "doh") ?? c.env.FACTEUR_DOH_URL ?? "https://cloudflare-dns.com/dns-query";
  const state = await call(c.api.GET("/api/v1/domains/{domain}/dkim", { params: { path: { domain } } }));
  const checks: Check[] = [];
  const mx = await resolve(doh, domain, "MX");
  checks.push({
    record: "MX",
    name: domain,
    expected: "route1/2/3.mx.cloudflare.net",
    found: mx.join(", ") || "(none)",
    ok: mx.length > 0 && mx.every((m) => MX_HOST.test(m)),
  });
  const spf = (await resolve(doh, domain, "TXT")).filter((t) => /^v=spf1(\s|$)/i.test(t));
  checks.push({
    record: "TXT (SPF)",
    name: domain,
    expected: "v=spf1 include:_spf.mx.cloudflare.net …",
    found: spf.join(" | ") || "(none)",
    ok: spf.length === 1 && /\binclude:_spf\.mx\.cloudflare\.net\b/.test(spf[0]!),
  });
  // DKIM keys must match exactly; the API's SPF and DMARC records are suggestions (a relay's
  // include:, a stricter p=), so those are checked for what Facteur needs, not for equality.
  for (const record of state.records.filter((r) => r.type === "TXT" && r.name.includes("._domainkey."))) {
    const found = await resolve(doh, record.name, "TXT");
    const normalize = (s: string) => s.replace(/\s+/g, "");
    checks.push({
      record: "TXT (DKIM)",
      name: record.name,
      expected: record.content,
      found: found.join(" | ") || "(none)",
      ok: found.some((f) => normalize(f) === normalize(record.content)),
    });
  }
  {
    const dmarc = (await resolve(doh, `_dmarc.${domain}`, "TXT")).filter((t) => /^v=DMARC1/i.test(t));
    checks.push({
      record: "TXT (DMARC)",
      name: `_dmarc.${domain}`,
      expected: "v=DMARC1; p=…",
      found: dmarc.join(" | ") || "(none)",
      ok: dmarc.length === 1,
    });
  }
  if (c.out.json) c.out.write(JSON.stringify(checks, null, 2));
  else
    c.out.write(
      table(checks.map((k) => ({ ...k, ok: k.ok ? "ok" : "MISSING" })) as unknown as Record<string, unknown>[]),
    );
  const bad = checks.filter((k) => !k.ok).length;
  if (bad) throw new ApiError(`${bad} record(s) missing or wrong for ${domain}`, 0);
}
