/**
 * The domain-health page (/admin/domains/{domain}/health): its components render given report
 * and health JSON, with a reporter's hostile org name, source address and names shown as text;
 * through the Worker's real fetch() it shows stored reports, the advice per failing source, the
 * TLS reports and the DNS findings, and a domain:<name> session sees only its own domain.
 */
import { createExecutionContext, env } from "cloudflare:test";
import { jsx } from "hono/jsx";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { type DmarcRecordRow, insertDmarcReport, insertTlsReport } from "../../src/store/reports";
import { DomainHealthPage, SourcePage } from "../../src/web/pages/domain-health";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const XSS = "<img src=x onerror=alert(1)>";
const ORIGIN = "https://facteur.test";
const ADMIN = "test-admin-token";
const OURS = "ours.health.test";
const THEIRS = "theirs.health.test";
const zone: Zone = {
  [OURS]: { MX: [{ exchange: "route1.mx.cloudflare.net", priority: 10 }], TXT: ["v=spf1 -all"] },
  "9.2.0.192.in-addr.arpa": { PTR: ["mail.sender.test."] },
};
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });

// biome-ignore lint/suspicious/noExplicitAny: components of any props
async function html(component: (props: any) => unknown, props: Record<string, unknown>): Promise<string> {
  return String(await jsx(component as never, props).toString());
}

async function fetchWorker(path: string, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(new Request(`${ORIGIN}${path}`, { redirect: "manual", ...init }), env, createExecutionContext());
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetchWorker(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json<{ token?: string }>() };
}

/** A web session signed in with a token, through the sign-in form (CSRF and all). */
async function sessionFor(token: string): Promise<string> {
  const page = await fetchWorker("/admin/sign-in");
  const pre = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
  const signedIn = await fetchWorker("/admin/sign-in/token", {
    method: "POST",
    headers: { cookie: pre, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: csrf, token }),
  });
  expect(signedIn.status).toBe(303);
  return (signedIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

const row = (sourceIp: string, count: number, dkim: string, spf: string, auth: Partial<DmarcRecordRow> = {}) => ({
  sourceIp,
  count,
  disposition: "none",
  dkimAligned: dkim,
  spfAligned: spf,
  reasons: [],
  headerFrom: OURS,
  envelopeFrom: OURS,
  envelopeTo: null,
  dkimResults: [],
  spfResults: [],
  ...auth,
});

/** The sources table's rows by source address: the advice code and the row's text. */
function sourceRows(page: string): Map<string, { action: string; text: string }> {
  const out = new Map<string, { action: string; text: string }>();
  for (const match of page.matchAll(/<tr data-action="([^"]+)">(.*?)<\/tr>/gs)) {
    const ip = match[2]?.match(/sources\/([^"?]+)/)?.[1] ?? "";
    out.set(decodeURIComponent(ip), { action: match[1] ?? "", text: match[2] ?? "" });
  }
  return out;
}

const begin = Math.floor(Date.now() / 1000) - 2 * 86_400;

beforeAll(async () => {
  for (const name of [OURS, THEIRS]) expect((await api("POST", "/domains", { name })).status).toBe(201);
  await insertDmarcReport(env.DB, {
    id: "health-page-1",
    domain: OURS,
    orgName: XSS,
    reportId: "r1",
    email: null,
    extraContactInfo: null,
    beginAt: begin,
    endAt: begin + 86_400,
    policy: { domain: OURS, p: "none", sp: null, pct: null, adkim: null, aspf: null },
    policyPublished: {},
    errors: [],
    messageLogId: null,
    receivedAt: Date.now(),
    rows: [
      row("192.0.2.9", 30, "pass", "pass", { dkimResults: [{ domain: OURS, selector: "s1", result: "pass" }] }),
      row("198.51.100.7", 12, "fail", "fail", {
        envelopeFrom: "bounce.mailer.example",
        dkimResults: [{ domain: "mailer.example", selector: "m1", result: "pass" }],
        spfResults: [{ domain: "bounce.mailer.example", scope: "mfrom", result: "pass" }],
      }),
      row("203.0.113.66", 5, "fail", "fail", { headerFrom: XSS, spfResults: [{ domain: OURS, result: "fail" }] }),
    ],
  });
  await insertTlsReport(env.DB, {
    id: "health-page-tls-1",
    domain: OURS,
    orgName: "TLS Reporter",
    reportId: "t1",
    contactInfo: null,
    startAt: new Date(begin * 1000).toISOString(),
    endAt: new Date((begin + 86_400) * 1000).toISOString(),
    messageLogId: null,
    receivedAt: Date.now(),
    policies: [
      {
        policyType: "sts",
        policyDomain: OURS,
        policyString: [],
        mxHost: [],
        successful: 40,
        failed: 2,
        failureDetails: [
          { "result-type": "certificate-expired", "receiving-mx-hostname": XSS, "failed-session-count": 2 },
        ],
      },
    ],
  });
});

describe("domain-health page components", () => {
  const summary = {
    from: "2026-11-01T00:00:00.000Z",
    to: "2026-11-04T00:00:00.000Z",
    reports: 1,
    messages: 10,
    passed: 4,
    failed: 6,
    pass_rate: 0.4,
    days: [{ day: "2026-11-02", messages: 10, passed: 4 }],
    sources: [
      {
        source_ip: `1.2.3.4"${XSS}`,
        reverse_dns: XSS,
        messages: 10,
        passed: 4,
        failed: 6,
        dkim_passed: 4,
        spf_passed: 0,
        advice: `Add it to the SPF record of ${XSS}`,
        action: "add-to-spf",
      },
    ],
  };
  const health = {
    healthy: false,
    passed: ["dkim"],
    findings: [
      {
        check: "spf",
        severity: "error",
        problem: XSS,
        fix: "publish the record",
        record: { type: "TXT", name: "x.test", content: "v=spf1 include:_spf.mx.cloudflare.net ~all" },
      },
    ],
  };
  const tls = {
    items: [
      {
        org_name: XSS,
        successful: 1,
        failed: 1,
        policies: [{ policy_type: "sts", failure_details: [{ "result-type": XSS }] }],
      },
    ],
  };

  it("render hostile report data as inert text, with the chart, advice and fix", async () => {
    const out = await html(DomainHealthPage, { domain: "x.test", summary, tls, health, period: {} });
    expect(out).not.toContain("<img");
    expect(out).not.toMatch(/onerror=alert\(1\)>/);
    expect(out).toContain("&lt;img src=x onerror=alert(1)&gt;");
    // The address becomes our own URL, encoded, never a target of its own.
    expect(out).toContain(`href="/admin/domains/x.test/health/sources/${encodeURIComponent(`1.2.3.4"${XSS}`)}"`);
    expect(out).toContain('data-day="2026-11-02" data-passed="4"');
    expect(out).toContain('data-day="2026-11-02" data-failed="6"');
    // Every day of the period is a slot: three days, two of them empty.
    expect(out).toContain("2026-11-01</text>");
    expect(out).toContain("2026-11-03</text>");
    expect(out).toContain('data-action="add-to-spf"');
    expect(out).toContain("v=spf1 include:_spf.mx.cloudflare.net ~all");
    expect(out).toContain('data-copy="fix-0"');
    expect(out).not.toContain("style=");
  });

  it("render a source's records with hostile identifiers as text", async () => {
    const out = await html(SourcePage, {
      domain: "x.test",
      period: { from: "2026-11-01" },
      detail: {
        source: { ...summary.sources[0], advice: "It is spoofing x.test", action: "spoofing" },
        rows: [
          {
            org_name: XSS,
            begin: "2026-11-01T00:00:00Z",
            end: "2026-11-02T00:00:00Z",
            count: 3,
            disposition: "none",
            dkim: "fail",
            spf: "fail",
            header_from: XSS,
            envelope_from: null,
            dkim_results: [{ domain: XSS, selector: "s", result: "fail" }],
            spf_results: [],
          },
        ],
      },
    });
    expect(out).not.toContain("<img");
    expect(out).toContain('data-action="spoofing"');
    expect(out).toContain('href="/admin/domains/x.test/health?from=2026-11-01"');
  });
});

describe("domain-health page through fetch()", () => {
  it("shows the stored reports, one line of advice per failing source, TLS results and DNS fixes", async () => {
    const cookie = await sessionFor(ADMIN);
    const response = await fetchWorker(`/admin/domains/${OURS}/health`, { headers: { cookie } });
    const page = await response.text();
    expect(response.status, page).toBe(200);
    expect(page).toContain("1 reports, 47 messages: 30 passed, 17 failed");
    const rows = sourceRows(page);
    expect(rows.get("192.0.2.9")).toMatchObject({ action: "none" });
    expect(rows.get("192.0.2.9")?.text).toMatch(/mail\.sender\.test.*Aligned: nothing to do/s);
    expect(rows.get("198.51.100.7")).toMatchObject({ action: "sign-with-dkim" });
    expect(rows.get("198.51.100.7")?.text).toContain("Sign all its mail with DKIM as ours.health.test");
    expect(rows.get("203.0.113.66")).toMatchObject({ action: "spoofing" });
    expect(rows.get("203.0.113.66")?.text).toContain("It is spoofing ours.health.test");
    expect(page).toContain("certificate-expired, MX &lt;img");
    expect(page).not.toContain("<img");
    // The zone's SPF lacks Email Routing's include: the finding and its record are on the page.
    expect(page).toMatch(/data-check="spf" data-severity="error"/);
    expect(page).toContain(`${OURS} TXT v=spf1 include:_spf.mx.cloudflare.net -all`);
    const drill = await fetchWorker(`/admin/domains/${OURS}/health/sources/203.0.113.66`, { headers: { cookie } });
    const records = await drill.text();
    expect(drill.status, records).toBe(200);
    expect(records).toContain('data-action="spoofing"');
    expect(records).toContain(`${OURS}: fail`);
    expect(records).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("lets a domain:<name> session see its own domain only", async () => {
    const created = await api("POST", "/tokens", { name: "health-web", scopes: [`domain:${OURS}`] });
    expect(created.status).toBe(201);
    const cookie = await sessionFor(created.body.token ?? "");
    expect((await fetchWorker(`/admin/domains/${OURS}/health`, { headers: { cookie } })).status).toBe(200);
    for (const path of [
      `/admin/domains/${THEIRS}/health`,
      `/admin/domains/${THEIRS}/health/sources/192.0.2.9`,
      "/admin/domains/absent.health.test/health",
    ]) {
      const response = await fetchWorker(path, { headers: { cookie } });
      expect(response.status, path).toBe(403);
      expect(await response.text()).not.toContain("192.0.2.9</a>");
    }
    const admin = await sessionFor(ADMIN);
    expect((await fetchWorker("/admin/domains/absent.health.test/health", { headers: { cookie: admin } })).status).toBe(
      404,
    );
    expect(
      (await fetchWorker(`/admin/domains/${THEIRS}/health/sources/192.0.2.9`, { headers: { cookie: admin } })).status,
    ).toBe(404);
  });
});
