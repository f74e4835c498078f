/**
 * The domain-health page in Chromium against the Worker under `wrangler dev`: two weeks of DMARC
 * aggregate reports and a TLS report are mailed to the domain's report addresses through the
 * local email endpoint (signed by their reporters, DMARC pass in the test zone), then the page
 * shows the chart, the sources with what to do, the TLS results and the DNS findings. Its
 * screenshot is the README's (docs/web-domain-health.png, rewritten when UPDATE_SCREENSHOTS=1).
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dkimSigned, publish, testKey } from "../../helpers/keys";
import { launch, Observer, SCREENSHOTS } from "./browser";
import { ADMIN_TOKEN, startWorker, type WorkerUnderTest } from "./worker-under-test";

const DOMAIN = "example.com";
const REPORTERS = ["reports.mailbox.example", "dmarc.bigmail.example"];
const DAY = 86_400;
const zone: Record<string, unknown> = {
  [DOMAIN]: {
    MX: ["route1", "route2", "route3"].map((r, i) => ({ exchange: `${r}.mx.cloudflare.net`, priority: (i + 1) * 10 })),
    TXT: ["v=spf1 include:_spf.mx.cloudflare.net ~all"],
  },
  [`_dmarc.${DOMAIN}`]: { TXT: [`v=DMARC1; p=none; rua=mailto:dmarc-reports@${DOMAIN}`] },
  [`_smtp._tls.${DOMAIN}`]: { TXT: [`v=TLSRPTv1; rua=mailto:tls-reports@${DOMAIN}`] },
  "10.2.0.192.in-addr.arpa": { PTR: [`mail.${DOMAIN}.`] },
  "44.2.0.192.in-addr.arpa": { PTR: [`crm.${DOMAIN}.`] },
  "25.100.51.198.in-addr.arpa": { PTR: ["o1.mailer.example.net."] },
};
for (const reporter of REPORTERS) {
  publish(zone as never, testKey(reporter));
  zone[`_dmarc.${reporter}`] = { TXT: ["v=DMARC1; p=reject"] };
}

let worker: WorkerUnderTest;
let browser: Browser;
let observer: Observer;

interface Row {
  ip: string;
  count: number;
  dkim: "pass" | "fail";
  spf: "pass" | "fail";
  envelope: string;
  dkimDomain?: string;
  spfResult: string;
}

function aggregateXml(reporter: string, id: string, begin: number, rows: Row[]): string {
  const records = rows
    .filter((r) => r.count > 0)
    .map(
      (r) => `<record><row><source_ip>${r.ip}</source_ip><count>${r.count}</count><policy_evaluated>
<disposition>none</disposition><dkim>${r.dkim}</dkim><spf>${r.spf}</spf></policy_evaluated></row>
<identifiers><header_from>${DOMAIN}</header_from><envelope_from>${r.envelope}</envelope_from></identifiers>
<auth_results>${r.dkimDomain ? `<dkim><domain>${r.dkimDomain}</domain><selector>s1</selector><result>pass</result></dkim>` : ""}
<spf><domain>${r.envelope}</domain><scope>mfrom</scope><result>${r.spfResult}</result></spf></auth_results></record>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<feedback><report_metadata><org_name>${reporter}</org_name><email>noreply@${reporter}</email>
<report_id>${id}</report_id><date_range><begin>${begin}</begin><end>${begin + DAY - 1}</end></date_range></report_metadata>
<policy_published><domain>${DOMAIN}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><pct>100</pct></policy_published>
${records}</feedback>`;
}

function reportMail(reporter: string, to: string, id: string, type: string, name: string, body: string): string {
  const boundary = `b-${id}`;
  return [
    `From: DMARC reports <noreply@${reporter}>`,
    `To: ${to}`,
    `Subject: Report Domain: ${DOMAIN} Submitter: ${reporter} Report-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${id}@${reporter}>`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "This is a report.",
    `--${boundary}`,
    `Content-Type: ${type}; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from(body).toString("base64").replace(/.{76}/g, "$&\r\n"),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}

async function mail(reporter: string, to: string, raw: string): Promise<void> {
  const signed = await dkimSigned(raw, testKey(reporter));
  const url = `${worker.origin}/cdn-cgi/local/email?from=${encodeURIComponent(`bounces@${reporter}`)}&to=${encodeURIComponent(to)}`;
  const response = await fetch(url, { method: "POST", body: signed });
  expect(response.status, await response.text()).toBeLessThan(300);
}

/** Two weeks of a plausible domain: its own server, a CRM that signs only some mail, a newsletter service, a spoofer. */
function rowsOf(day: number): Row[] {
  const wave = (base: number, spread: number) => base + ((day * 37) % spread);
  return [
    {
      ip: "192.0.2.10",
      count: wave(700, 260),
      dkim: "pass",
      spf: "pass",
      envelope: DOMAIN,
      dkimDomain: DOMAIN,
      spfResult: "pass",
    },
    {
      ip: "198.51.100.25",
      count: wave(90, 60),
      dkim: "fail",
      spf: "fail",
      envelope: "bounce.mailer.example.net",
      dkimDomain: "mailer.example.net",
      spfResult: "pass",
    },
    {
      ip: "192.0.2.44",
      count: wave(14, 9),
      dkim: "pass",
      spf: "fail",
      envelope: DOMAIN,
      dkimDomain: DOMAIN,
      spfResult: "softfail",
    },
    { ip: "192.0.2.44", count: wave(5, 6), dkim: "fail", spf: "fail", envelope: DOMAIN, spfResult: "softfail" },
    {
      ip: "203.0.113.77",
      count: day % 3 === 0 ? wave(30, 90) : 0,
      dkim: "fail",
      spf: "fail",
      envelope: DOMAIN,
      spfResult: "fail",
    },
  ];
}

beforeAll(async () => {
  worker = await startWorker(zone);
  const created = await fetch(`${worker.origin}/api/v1/domains`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: DOMAIN }),
  });
  expect(created.status).toBe(201);
  const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
  for (let day = 14; day >= 1; day--) {
    const reporter = REPORTERS[day % 2] ?? "";
    const id = `r${day}`;
    const xml = aggregateXml(reporter, id, today - day * DAY, rowsOf(day));
    await mail(
      reporter,
      `dmarc-reports@${DOMAIN}`,
      reportMail(reporter, `dmarc-reports@${DOMAIN}`, id, "text/xml", `${DOMAIN}!${id}.xml`, xml),
    );
  }
  const start = new Date((today - DAY) * 1000).toISOString();
  const tls = {
    "organization-name": REPORTERS[1],
    "date-range": { "start-datetime": start, "end-datetime": new Date(today * 1000 - 1000).toISOString() },
    "contact-info": `tls@${REPORTERS[1]}`,
    "report-id": "tls-1",
    policies: [
      {
        policy: { "policy-type": "sts", "policy-domain": DOMAIN, "mx-host": ["route1.mx.cloudflare.net"] },
        summary: { "total-successful-session-count": 1804, "total-failure-session-count": 3 },
        "failure-details": [
          {
            "result-type": "validation-failure",
            "sending-mta-ip": "198.51.100.9",
            "receiving-mx-hostname": "route2.mx.cloudflare.net",
            "failed-session-count": 3,
          },
        ],
      },
    ],
  };
  const reporter = REPORTERS[1] ?? "";
  await mail(
    reporter,
    `tls-reports@${DOMAIN}`,
    reportMail(
      reporter,
      `tls-reports@${DOMAIN}`,
      "tls1",
      "application/tlsrpt+json",
      "report.json",
      JSON.stringify(tls),
    ),
  );
  browser = await launch();
  observer = new Observer(worker.origin);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

describe("the domain-health page in Chromium", () => {
  it("charts two weeks of reports, says what to do per source, and shows TLS results and DNS fixes", async () => {
    const context = await observer.context(browser);
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${worker.origin}/admin/sign-in`);
    await page.fill("#token", ADMIN_TOKEN);
    await page.click("text=Sign in with token");
    await page.goto(`${worker.origin}/admin/domains/${DOMAIN}/health`);
    await expect(page.locator("#dmarc-totals").textContent()).resolves.toContain("14 reports");
    expect(await page.locator("#chart-dmarc-days rect[data-passed]").count()).toBe(14);
    const advice = await page
      .locator("#sources tbody tr")
      .evaluateAll((rows) => rows.map((r) => [r.querySelector("td")?.textContent, r.getAttribute("data-action")]));
    expect(Object.fromEntries(advice)).toEqual({
      "192.0.2.10": "none",
      "198.51.100.25": "sign-with-dkim",
      "192.0.2.44": "add-to-spf",
      "203.0.113.77": "spoofing",
    });
    await expect(page.locator("#sources").textContent()).resolves.toContain(`mail.${DOMAIN}`);
    await expect(page.locator("#tls-reports").textContent()).resolves.toContain("validation-failure");
    await expect(page.locator("#findings").textContent()).resolves.toContain("_mta-sts.example.com");
    await observer.check(page, "domain-health");
    if (process.env.UPDATE_SCREENSHOTS) {
      copyFileSync(
        join(SCREENSHOTS, "domain-health.png"),
        join(import.meta.dirname, "..", "..", "..", "docs", "web-domain-health.png"),
      );
    }
    await page.click("text=203.0.113.77");
    await expect(page.locator("#source-advice").getAttribute("data-action")).resolves.toBe("spoofing");
    await observer.check(page, "domain-health-source");
    expect(observer.foreign).toEqual([]);
    expect(observer.dialogs).toEqual([]);
    expect(observer.serious()).toEqual([]);
  }, 600_000);
});
