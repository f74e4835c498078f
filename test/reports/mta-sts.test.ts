/**
 * MTA-STS (RFC 8461) and the reporting records: the policy file is served byte for byte on
 * mta-sts.<domain>, the _mta-sts id changes whenever the policy does (and only then), the DNS
 * records the API returns carry _mta-sts, _smtp._tls and DMARC's rua, and a changed report
 * address is the one email() files reports from.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { emailMessage } from "../helpers/email";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { corpusEntry } from "./corpus";
import { declareReporter, reporterMail, signAs } from "./reporter-mail";

const zone: Zone = {};
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
const ADMIN = "test-admin-token";

async function call(method: string, url: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN}`, "cf-connecting-ip": "203.0.113.77" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const request = new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return worker.fetch(request, env, {} as ExecutionContext);
}

async function records(domain: string): Promise<{ name: string; type: string; content: string }[]> {
  const response = await call("GET", `https://facteur.test/api/v1/domains/${domain}/dkim`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { records: { name: string; type: string; content: string }[] }).records;
}

async function policyId(domain: string): Promise<string> {
  const txt = (await records(domain)).find((r) => r.name === `_mta-sts.${domain}`);
  const match = /^v=STSv1; id=([A-Za-z0-9]{1,32})$/.exec(txt?.content ?? "");
  expect(match, txt?.content).not.toBeNull();
  return match?.[1] ?? "";
}

async function policyFile(domain: string) {
  const response = await call("GET", `https://mta-sts.${domain}/.well-known/mta-sts.txt`);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    bytes: new Uint8Array(await response.arrayBuffer()),
  };
}

const text = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  const response = await call("POST", "https://facteur.test/api/v1/domains", { name: "sts.test" });
  expect(response.status).toBe(201);
});

describe("MTA-STS", () => {
  it("serves the policy byte for byte, as text/plain, on mta-sts.<domain> only", async () => {
    const file = await policyFile("sts.test");
    expect(file.status).toBe(200);
    expect(file.type).toMatch(/^text\/plain/);
    expect(file.bytes).toEqual(
      text(
        "version: STSv1\r\nmode: testing\r\nmx: route1.mx.cloudflare.net\r\nmx: route2.mx.cloudflare.net\r\n" +
          "mx: route3.mx.cloudflare.net\r\nmax_age: 604800\r\n",
      ),
    );
    expect((await policyFile("unknown.test")).status).toBe(404);
    const elsewhere = await call("GET", "https://facteur.test/.well-known/mta-sts.txt");
    expect(elsewhere.status).toBe(404);
  });

  it("changes the _mta-sts id whenever the policy changes, and only then", async () => {
    const first = await policyId("sts.test");
    expect(await policyId("sts.test")).toBe(first);
    expect(
      (await call("PATCH", "https://facteur.test/api/v1/domains/sts.test/reporting", { mta_sts_mode: "enforce" }))
        .status,
    ).toBe(200);
    const enforce = await policyId("sts.test");
    expect(enforce).not.toBe(first);
    expect(new TextDecoder().decode((await policyFile("sts.test")).bytes)).toContain("\r\nmode: enforce\r\n");
    await call("PATCH", "https://facteur.test/api/v1/domains/sts.test/reporting", { mta_sts_max_age: 1_209_600 });
    const longer = await policyId("sts.test");
    expect(new Set([first, enforce, longer]).size).toBe(3);
    expect(new TextDecoder().decode((await policyFile("sts.test")).bytes)).toMatch(/\r\nmax_age: 1209600\r\n$/);
    await call("PATCH", "https://facteur.test/api/v1/domains/sts.test/reporting", {
      mta_sts_mode: "testing",
      mta_sts_max_age: 604_800,
    });
    expect(await policyId("sts.test")).toBe(first);
  });

  it("refuses a max_age over RFC 8461's limit", async () => {
    const response = await call("PATCH", "https://facteur.test/api/v1/domains/sts.test/reporting", {
      mta_sts_max_age: 31_557_601,
    });
    expect(response.status).toBe(400);
  });
});

describe("reporting records and addresses", () => {
  it("publishes _smtp._tls and DMARC's rua at the report addresses", async () => {
    const all = await records("sts.test");
    expect(all.find((r) => r.name === "_smtp._tls.sts.test")?.content).toBe(
      "v=TLSRPTv1; rua=mailto:tls-reports@sts.test",
    );
    expect(all.find((r) => r.name === "_dmarc.sts.test")?.content).toMatch(/; rua=mailto:dmarc-reports@sts\.test$/);
  });

  it("files reports sent to a changed DMARC report address, and no longer at the default", async () => {
    const changed = await call("PATCH", "https://facteur.test/api/v1/domains/sts.test/reporting", {
      dmarc_report_local: "Rua",
    });
    expect(((await changed.json()) as { dmarc_report_address: string }).dmarc_report_address).toBe("rua@sts.test");
    expect((await records("sts.test")).find((r) => r.name === "_dmarc.sts.test")?.content).toMatch(
      /; rua=mailto:rua@sts\.test$/,
    );
    const path = "aggregate/mox__google.eml";
    const entry = await corpusEntry(path);
    if (!entry) throw new Error(`${path} missing`);
    const mail = reporterMail(path, entry.bytes, entry.expected, "rua@sts.test");
    declareReporter(zone, mail.fromDomain);
    const raw = await signAs(mail.raw, mail.fromDomain);
    for (const to of ["dmarc-reports@sts.test", "RUA@sts.test"]) {
      await worker.email(emailMessage(raw, { from: `b@${mail.fromDomain}`, to }).message, env, {} as ExecutionContext);
    }
    const logged = await env.DB.prepare("SELECT rcpt_to, rule, decision FROM messages ORDER BY id").all();
    expect(logged.results).toEqual([
      { rcpt_to: "dmarc-reports@sts.test", rule: "no-such-user", decision: "rejected" },
      { rcpt_to: "RUA@sts.test", rule: "report-address", decision: "report" },
    ]);
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM dmarc_reports WHERE domain = 'sts.test'").first();
    expect(stored).toEqual({ n: 1 });
  });
});
