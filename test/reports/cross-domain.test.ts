/**
 * Cross-domain DMARC reports (RFC 7489 section 7.1): a domain sends its aggregate reports to
 * another domain Facteur serves. Its rua names the receiver's address; the receiver's records
 * (the records API and the Cloudflare sync's plan) carry `<domain>._report._dmarc.<receiver>`
 * TXT "v=DMARC1"; the health check finds the authorization missing; a report arriving at the
 * receiver's address is filed under the domain it is about.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { planDns } from "../../src/cloudflare/plan-dns";
import { reportingRecords } from "../../src/cloudflare/reporting-records";
import { createWorker } from "../../src/index";
import { findReportSettings } from "../../src/store/report-settings";
import { emailMessage } from "../helpers/email";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { declareReporter, signAs } from "./reporter-mail";

const ADMIN = "test-admin-token";
const SENDER = "sender.cross.test";
const RECEIVER = "receiver.cross.test";
const AUTH_NAME = `${SENDER}._report._dmarc.${RECEIVER}`;
const zone: Zone = {};
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });

// biome-ignore lint/suspicious/noExplicitAny: API JSON, checked field by field
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await worker.fetch(
    new Request(`https://facteur.test/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    env,
    {} as ExecutionContext,
  );
  return { status: response.status, body: await response.json() };
}

const recordNamed = (records: { name: string; content: string }[], name: string) =>
  records.filter((r) => r.name === name);

beforeAll(async () => {
  for (const name of [SENDER, RECEIVER]) expect((await api("POST", "/domains", { name })).status).toBe(201);
});

describe("cross-domain DMARC reports", () => {
  it("is configured per domain: the rua names the receiver, which lists the sender", async () => {
    const unknown = await api("PATCH", `/domains/${SENDER}/reporting`, { dmarc_report_domain: "nowhere.cross.test" });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toContain("dmarc_report_domain");

    const set = await api("PATCH", `/domains/${SENDER}/reporting`, { dmarc_report_domain: RECEIVER });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      dmarc_report_address: `dmarc-reports@${RECEIVER}`,
      dmarc_report_domain: RECEIVER,
      dmarc_reports_for: [],
    });
    // The receiver's own local part is the address, whatever the sender's was.
    expect((await api("PATCH", `/domains/${RECEIVER}/reporting`, { dmarc_report_local: "rua" })).status).toBe(200);
    const receiver = await api("GET", `/domains/${RECEIVER}/reporting`);
    expect(receiver.body).toMatchObject({ dmarc_report_domain: null, dmarc_reports_for: [SENDER] });
    expect((await api("GET", `/domains/${SENDER}/reporting`)).body.dmarc_report_address).toBe(`rua@${RECEIVER}`);
  });

  it("publishes the authorization at the receiver, in the records API and the sync's plan", async () => {
    const receiverRecords = (await api("GET", `/domains/${RECEIVER}/dkim`)).body.records;
    expect(recordNamed(receiverRecords, AUTH_NAME)).toEqual([
      expect.objectContaining({ type: "TXT", name: AUTH_NAME, content: "v=DMARC1" }),
    ]);
    const senderRecords = (await api("GET", `/domains/${SENDER}/dkim`)).body.records;
    expect(recordNamed(senderRecords, `_dmarc.${SENDER}`)[0]?.content).toContain(`rua=mailto:rua@${RECEIVER}`);
    expect(senderRecords.some((r: { name: string }) => r.name.includes("._report._dmarc."))).toBe(false);

    // Published even with MTA-STS off: it is about reports, not transport security.
    expect((await api("PATCH", `/domains/${RECEIVER}/reporting`, { mta_sts_mode: "none" })).status).toBe(200);
    const inputs = await reportingRecords(RECEIVER, await findReportSettings(env.DB, RECEIVER));
    expect(inputs.reporting).toEqual([{ name: AUTH_NAME, content: "v=DMARC1" }]);
    const plan = planDns({ domain: RECEIVER, keys: [], relayInclude: null, records: [], ...inputs });
    expect(plan.find((c) => c.name === AUTH_NAME)).toMatchObject({ action: "create", content: "v=DMARC1" });
    const kept = planDns({
      domain: RECEIVER,
      keys: [],
      relayInclude: null,
      records: [{ id: "r1", type: "TXT", name: AUTH_NAME, content: '"v=DMARC1"', comment: "facteur: managed" }],
      ...inputs,
    });
    expect(kept.find((c) => c.name === AUTH_NAME)?.action).toBe("keep");
    const senderInputs = await reportingRecords(SENDER, await findReportSettings(env.DB, SENDER));
    expect(senderInputs.dmarcRua).toBe(`mailto:rua@${RECEIVER}`);
  });

  it("has the health check name a missing authorization, and pass a published one", async () => {
    const missing = await api("GET", `/domains/${SENDER}/health`);
    expect(missing.status).toBe(200);
    const finding = missing.body.findings.find((f: { record?: { name: string } }) => f.record?.name === AUTH_NAME);
    expect(finding).toMatchObject({ check: "dmarc", severity: "error", record: { type: "TXT", content: "v=DMARC1" } });
    expect(finding.problem).toContain("RFC 7489 section 7.1");
    zone[AUTH_NAME] = { TXT: ["v=DMARC1"] };
    const present = await api("GET", `/domains/${SENDER}/health`);
    expect(present.body.findings.some((f: { record?: { name: string } }) => f.record?.name === AUTH_NAME)).toBe(false);
    // The receiver itself has no such finding: the sender's reports are what would be lost.
    const receiver = await api("GET", `/domains/${RECEIVER}/health`);
    expect(JSON.stringify(receiver.body.findings)).not.toContain("_report._dmarc");
  });

  it("files a report arriving at the receiver under the domain it is about, and no other", async () => {
    const reporter = "reporter.cross.test";
    declareReporter(zone, reporter);
    const to = `rua@${RECEIVER}`;
    for (const [id, about] of [
      ["x-1", SENDER],
      ["x-2", "stranger.cross.test"],
    ]) {
      const xml = `<?xml version="1.0"?><feedback><report_metadata><org_name>${reporter}</org_name><email>r@${reporter}</email><report_id>${id}</report_id><date_range><begin>1764547200</begin><end>1764633600</end></date_range></report_metadata><policy_published><domain>${about}</domain><p>none</p></policy_published><record><row><source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>${about}</header_from></identifiers><auth_results><dkim><domain>${about}</domain><result>pass</result></dkim></auth_results></record></feedback>`;
      const raw = [
        `From: Reports <r@${reporter}>`,
        `To: ${to}`,
        `Subject: Report Domain: ${about} Submitter: ${reporter} Report-ID: ${id}`,
        "Date: Tue, 01 Dec 2026 09:00:00 +0000",
        `Message-ID: <${id}@${reporter}>`,
        "MIME-Version: 1.0",
        "Content-Type: text/xml",
        "",
        xml,
        "",
      ].join("\r\n");
      const signed = await signAs(new TextEncoder().encode(raw), reporter);
      await worker.email(emailMessage(signed, { from: `b@${reporter}`, to }).message, env, {} as ExecutionContext);
    }
    const filed = await env.DB.prepare(
      "SELECT report_id, domain FROM dmarc_reports WHERE org_name = ?1 ORDER BY report_id",
    )
      .bind(reporter)
      .all<{ report_id: string; domain: string }>();
    expect(filed.results).toEqual([
      { report_id: "x-1", domain: SENDER },
      { report_id: "x-2", domain: RECEIVER },
    ]);
    const summary = await api("GET", `/domains/${SENDER}/dmarc/summary?from=2025-12-01&to=2025-12-03`);
    expect(summary.body).toMatchObject({ reports: 1, messages: 3, passed: 3 });
  });

  it("goes back to the domain's own address when set to null", async () => {
    const reset = await api("PATCH", `/domains/${SENDER}/reporting`, { dmarc_report_domain: null });
    expect(reset.body).toMatchObject({ dmarc_report_address: `dmarc-reports@${SENDER}`, dmarc_report_domain: null });
    expect((await api("GET", `/domains/${RECEIVER}/reporting`)).body.dmarc_reports_for).toEqual([]);
    const records = (await api("GET", `/domains/${RECEIVER}/dkim`)).body.records;
    expect(recordNamed(records, AUTH_NAME)).toEqual([]);
  });
});
