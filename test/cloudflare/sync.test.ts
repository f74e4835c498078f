/**
 * Cloudflare sync through the API (POST /api/v1/domains/{domain}/sync) and the cron sweep, against
 * the loopback Cloudflare stand-in: each request's method, path and body is asserted.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { reportingRecords } from "../../src/cloudflare/reporting-records";
import { findReportSettings } from "../../src/store/report-settings";
import { syncCloudflare } from "../../src/sweeps/sync-cloudflare";
import { call } from "../api/helpers";
import { accountState, mock, mutations, requests, resetAccount, syncEnv, ZONE } from "./helpers";

interface Report {
  dns: { action: string; name: string; type: string; content: string; note?: string }[];
  destinations: { action: string; address: string }[];
  routing: { action: string; what: string }[];
  warnings: string[];
  errors: { section: string; status: number | null; message: string }[];
  applied: number;
}

const jsonOf = async <T>(response: Response): Promise<T> => {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

const sync = async (domain: string, query = "", extraEnv: object = syncEnv) =>
  call("POST", `/api/v1/domains/${domain}/sync${query}`, { env: extraEnv });

async function dkimRecord(domain: string) {
  const state = await jsonOf<{ records: { name: string; content: string }[] }>(
    await call("GET", `/api/v1/domains/${domain}/dkim`),
  );
  return state.records.find((r) => r.name.includes("._domainkey."))!;
}

beforeEach(async () => {
  await env.DB.exec("DELETE FROM destinations; DELETE FROM dkim_keys; DELETE FROM aliases; DELETE FROM domains;");
});

describe("Cloudflare sync", () => {
  it("a fresh zone: the dry run changes nothing, the sync creates what is missing, the next one nothing", async () => {
    await call("POST", "/api/v1/domains", { body: { name: "example.com" } });
    expect((await call("POST", "/api/v1/domains/example.com/dkim", { body: {} })).status).toBe(201);
    for (const [address, verified] of [
      ["a@example.net", false],
      ["b@example.net", true],
      ["c@example.net", false],
    ] as const) {
      await call("POST", "/api/v1/destinations", { body: { address, verified } });
    }
    await resetAccount({
      zones: [ZONE],
      addresses: {
        "acct-1": [
          { id: "d-b", email: "b@example.net", verified: "2026-11-01T00:00:00Z" },
          { id: "d-c", email: "c@example.net", verified: "2026-11-02T00:00:00Z" },
        ],
      },
    });
    const dkim = await dkimRecord("example.com");

    const dry = await jsonOf<Report>(await sync("example.com", "?dry_run=true"));
    expect(dry.applied).toBe(0);
    expect(dry.dns.map((c) => `${c.action} ${c.type} ${c.name}`)).toEqual([
      "email-routing-dns MX example.com",
      "create TXT example.com",
      "create TXT _dmarc.example.com",
      "create TXT _mta-sts.example.com",
      "create TXT _smtp._tls.example.com",
      `create TXT ${dkim.name}`,
    ]);
    expect(dry.destinations).toEqual([
      { action: "create", address: "a@example.net", note: "Cloudflare mails it a verification link" },
      { action: "keep", address: "b@example.net" },
      { action: "mark-verified", address: "c@example.net" },
    ]);
    expect(dry.routing.map((c) => c.action)).toEqual(["enable", "set-catch-all"]);
    expect(mutations(await requests())).toEqual([]);
    expect(
      await env.DB.prepare("SELECT verified FROM destinations WHERE address = 'c@example.net'").first("verified"),
    ).toBe(0);

    await resetAccount({ ...(await accountState()), rateLimitOnce: [] });
    const applied = await jsonOf<Report>(await sync("example.com"));
    expect(applied.errors).toEqual([]);
    expect(applied.applied).toBe(10); // 6 DNS, 1 address created, 1 marked verified, 2 routing
    const reporting = await reportingRecords("example.com", await findReportSettings(env.DB, "example.com"));
    const zone = `/zones/${ZONE.id}`;
    const managed = { ttl: 1, comment: "facteur: managed", type: "TXT" };
    expect(mutations(await requests()).map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: "POST", path: `${zone}/email/routing/dns`, body: { name: "example.com" } },
      {
        method: "POST",
        path: `${zone}/dns_records`,
        body: { ...managed, name: "example.com", content: "v=spf1 include:_spf.mx.cloudflare.net ~all" },
      },
      {
        method: "POST",
        path: `${zone}/dns_records`,
        body: {
          ...managed,
          name: "_dmarc.example.com",
          content: "v=DMARC1; p=none; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com",
        },
      },
      ...reporting.reporting.map((r) => ({
        method: "POST",
        path: `${zone}/dns_records`,
        body: { ...managed, name: r.name, content: r.content },
      })),
      { method: "POST", path: `${zone}/dns_records`, body: { ...managed, name: dkim.name, content: dkim.content } },
      { method: "POST", path: "/accounts/acct-1/email/routing/addresses", body: { email: "a@example.net" } },
      { method: "POST", path: `${zone}/email/routing/enable`, body: undefined },
      {
        method: "PUT",
        path: `${zone}/email/routing/rules/catch_all`,
        body: {
          name: "Facteur",
          enabled: true,
          matchers: [{ type: "all" }],
          actions: [{ type: "worker", value: ["facteur"] }],
        },
      },
    ]);
    expect(
      await env.DB.prepare("SELECT verified FROM destinations WHERE address = 'c@example.net'").first("verified"),
    ).toBe(1);

    await resetAccount({ ...(await accountState()) });
    const again = await jsonOf<Report>(await sync("example.com"));
    expect(again.applied).toBe(0);
    expect(mutations(await requests())).toEqual([]);
    expect(again.dns.every((c) => c.action === "keep")).toBe(true);
    expect(again.destinations.find((d) => d.address === "a@example.net")!.action).toBe("pending");
  });

  it("never touches a record it did not create, removes its own stale DKIM record, and warns about rules and the limit", async () => {
    await call("POST", "/api/v1/domains", {
      body: { name: "example.com", relay_url: "mailgun://key-1@mg.example.com" },
    });
    await call("POST", "/api/v1/aliases", { body: { address: "info@example.com", destinations: ["a@example.net"] } });
    await call("POST", "/api/v1/destinations", { body: { address: "new1@example.net", verified: false } });
    await call("POST", "/api/v1/destinations", { body: { address: "new2@example.net", verified: false } });
    const existing = Array.from({ length: 199 }, (_, i) => ({
      id: `d${i}`,
      email: `u${i}@example.org`,
      verified: "2026-11-01T00:00:00Z",
    }));
    const records = [
      { id: "mx1", type: "MX", name: "example.com", content: "route1.mx.cloudflare.net", priority: 13 },
      { id: "spf", type: "TXT", name: "example.com", content: '"v=spf1 include:_spf.mx.cloudflare.net ~all"' },
      {
        id: "dmarc",
        type: "TXT",
        name: "_dmarc.example.com",
        content: "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.com",
      },
      {
        id: "old",
        type: "TXT",
        name: "old._domainkey.example.com",
        content: "v=DKIM1; p=AAAA",
        comment: "facteur: managed",
      },
      { id: "other", type: "TXT", name: "google._domainkey.example.com", content: "v=DKIM1; p=BBBB" },
    ];
    await resetAccount({
      zones: [ZONE],
      pageSize: 50,
      records: { [ZONE.id]: records },
      settings: { [ZONE.id]: { id: ZONE.id, name: "example.com", enabled: true, status: "ready" } },
      catchAll: {
        [ZONE.id]: {
          id: "ca",
          enabled: true,
          matchers: [{ type: "all" }],
          actions: [{ type: "forward", value: ["boss@example.net"] }],
        },
      },
      rules: {
        [ZONE.id]: [
          {
            id: "r1",
            name: "desk",
            enabled: true,
            matchers: [{ type: "literal", field: "to", value: "info@example.com" }],
            actions: [{ type: "forward", value: ["x@example.net"] }],
          },
        ],
      },
      addresses: { "acct-1": existing },
    });
    const report = await jsonOf<Report>(await sync("example.com"));
    expect(report.errors).toEqual([]);
    const spf = report.dns.find((c) => c.name === "example.com" && c.type === "TXT")!;
    expect(spf).toMatchObject({
      action: "conflict",
      content: "v=spf1 include:_spf.mx.cloudflare.net include:mailgun.org ~all",
    });
    expect(spf.note).toContain("add include:_spf.mx.cloudflare.net include:mailgun.org");
    expect(report.dns.find((c) => c.name === "_dmarc.example.com")!.action).toBe("keep");
    expect(report.dns.find((c) => c.name === "old._domainkey.example.com")!.action).toBe("delete");
    expect(report.routing).toContainEqual(expect.objectContaining({ action: "conflict", what: "catch-all" }));
    expect(report.warnings).toContain(
      'rule "desk" for info@example.com sends to forward x@example.net before Facteur sees it (Facteur has an alias or list for it)',
    );
    expect(report.warnings).toContain(
      "200 of 200 Email Routing destination addresses used in this account (the limit is shared by every domain)",
    );
    expect(report.destinations).toEqual([
      { action: "create", address: "new1@example.net", note: "Cloudflare mails it a verification link" },
      {
        action: "over-limit",
        address: "new2@example.net",
        note: "the account has 200 destination addresses, Cloudflare's limit",
      },
    ]);
    const log = await requests();
    expect(
      log
        .filter((r) => r.path === "/accounts/acct-1/email/routing/addresses" && r.method === "GET")
        .map((r) => r.query.page ?? "1"),
    ).toEqual(["1", "2", "3", "4"]); // 200 addresses, 50 a page: result_info.total_pages = 4
    expect(mutations(log).map((r) => `${r.method} ${r.path} ${r.body?.name ?? ""}`.trim())).toEqual([
      `POST /zones/${ZONE.id}/dns_records _mta-sts.example.com`,
      `POST /zones/${ZONE.id}/dns_records _smtp._tls.example.com`,
      `DELETE /zones/${ZONE.id}/dns_records/old`,
      "POST /accounts/acct-1/email/routing/addresses",
    ]);
    const after = (await accountState()).records![ZONE.id] as { id: string; content: string }[];
    expect(after.find((r) => r.id === "spf")!.content).toBe('"v=spf1 include:_spf.mx.cloudflare.net ~all"');
    expect(after.find((r) => r.id === "other")).toBeTruthy();
  });

  it("waits out a 429, reports a permission the token lacks, and still does the rest", async () => {
    await call("POST", "/api/v1/domains", { body: { name: "example.com" } });
    await call("POST", "/api/v1/destinations", { body: { address: "a@example.net", verified: false } });
    await resetAccount({
      zones: [ZONE],
      rateLimitOnce: [`GET /zones/${ZONE.id}/dns_records`],
      denied: ["GET /accounts/acct-1/email/routing/addresses", `POST /zones/${ZONE.id}/email/routing/enable`],
    });
    const report = await jsonOf<Report>(await sync("example.com"));
    expect(report.errors).toEqual([
      { section: "destinations", status: 403, message: "the token lacks Account: Email Routing Addresses Edit" },
      {
        section: "routing",
        status: 403,
        message: "the token lacks Zone: Email Routing Rules Edit and Zone Settings Edit",
      },
    ]);
    const log = await requests();
    expect(log.filter((r) => r.method === "GET" && r.path === `/zones/${ZONE.id}/dns_records`)).toHaveLength(2);
    expect(mutations(log).filter((r) => r.path.endsWith("/dns_records"))).toHaveLength(4); // SPF, DMARC, MTA-STS, TLS-RPT
  });

  it("without CLOUDFLARE_API_TOKEN the API says so (409), an unknown domain is 404, and the cron sweep applies", async () => {
    const noToken = await call("POST", "/api/v1/domains/example.com/sync", {});
    expect(noToken.status).toBe(409);
    expect(((await noToken.json()) as { detail: string }).detail).toContain("CLOUDFLARE_API_TOKEN");
    await resetAccount({ zones: [ZONE] });
    expect((await sync("unknown.example")).status).toBe(404);
    expect(await syncCloudflare.run({ ...env, CLOUDFLARE_API_TOKEN: undefined }, Date.now())).toBe(0);
    await call("POST", "/api/v1/domains", { body: { name: "example.com" } });
    const applied = await syncCloudflare.run({ ...env, ...syncEnv }, Date.now());
    expect(applied).toBe(7);
    expect(mutations(await requests()).map((r) => `${r.method} ${r.path}`)).toContain(
      `PUT /zones/${ZONE.id}/email/routing/rules/catch_all`,
    );
    expect(mock.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });
});
