/**
 * The web interface in a real browser (Debian's Chromium through playwright-core) against the
 * Worker under `wrangler dev`: operator, domain-token and member flows end to end, with axe-core
 * on every page, a screenshot of every page (test-results/web/), and no request leaving the origin.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, Observer } from "./browser";
import { ADMIN_TOKEN, startWorker, type WorkerUnderTest } from "./worker-under-test";

const ZONE = {
  "sender.example": { TXT: ["v=spf1 -all"] },
  "_dmarc.sender.example": { TXT: ["v=DMARC1; p=none"] },
};
const XSS = "<img src=x onerror=alert(1)>";
const LIST = "team@example.test";
const MEMBER = "member7@members.example";

let worker: WorkerUnderTest;
let browser: Browser;
let observer: Observer;
let admin: BrowserContext;
let page: Page;

// biome-ignore lint/suspicious/noExplicitAny: API JSON, checked field by field in each test
async function api(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${worker.origin}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json", ...init.headers },
  });
  return { status: response.status, body: await response.json() };
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 150_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function injectMail(from: string, to: string, subject: string, id: string): Promise<number> {
  const raw = [
    `From: Outsider <${from}>`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${id}@sender.example>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Hello <script>alert(2)</script> list",
    "--b",
    "Content-Type: text/html; charset=utf-8",
    "",
    '<p>Hi <b>list</b> <img src="https://remote.example/pixel.png" onerror="alert(3)"><script>alert(4)</script></p>',
    "--b--",
    "",
  ].join("\r\n");
  const url = `${worker.origin}/cdn-cgi/local/email?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const response = await fetch(url, { method: "POST", body: raw });
  return response.status;
}

/**
 * Clicks the button named exactly `name` (by its accessible name, so never a heading or a label with
 * the same words) and waits for the page the form's POST leads to, after any redirect, to load.
 */
async function submit(p: Page, name: string): Promise<void> {
  await Promise.all([p.waitForNavigation(), p.getByRole("button", { name, exact: true }).click()]);
}

async function signInWithToken(context: BrowserContext, token: string): Promise<Page> {
  const p = await context.newPage();
  await p.goto(`${worker.origin}/admin/sign-in`);
  await p.fill("#token", token);
  await submit(p, "Sign in with token");
  return p;
}

beforeAll(async () => {
  worker = await startWorker(ZONE);
  browser = await launch();
  observer = new Observer(worker.origin);
  admin = await observer.context(browser);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

// Tests in one file run in order: each step builds on the state the previous one left.
describe("the web interface in Chromium", () => {
  it("signs in with the admin token and shows the dashboard", async () => {
    const p = await admin.newPage();
    await p.goto(`${worker.origin}/admin`);
    expect(p.url()).toBe(`${worker.origin}/admin/sign-in`);
    await observer.check(p, "sign-in");
    await p.fill("#token", "wrong-token");
    await submit(p, "Sign in with token");
    await expect(p.locator("#token-error").textContent()).resolves.toContain("did not work");
    page = await signInWithToken(admin, ADMIN_TOKEN);
    expect(page.url()).toBe(`${worker.origin}/admin`);
    const cookies = await admin.cookies();
    const session = cookies.find((c) => c.name === "facteur-session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    const headers = (await page.request.get(`${worker.origin}/admin`)).headers();
    expect(headers["content-security-policy"]).toContain("default-src 'self'");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"]).not.toContain("unsafe-inline");
    expect(headers["referrer-policy"]).toBe("same-origin");
  }, 300_000);

  it("creates a domain, an alias and a list", async () => {
    for (const domain of ["example.test", "other.test"]) {
      await page.goto(`${worker.origin}/admin/domains`);
      await page.fill("#name", domain);
      await submit(page, "Add domain");
      expect(page.url()).toContain(`/admin/domains/${domain}`);
    }
    await submit(page, "Generate a key");
    await expect(page.locator("text=Rotate: generate a new key").count()).resolves.toBe(1);
    await observer.check(page, "domain-detail");
    // The live check, through the Worker's DoH resolver (the test zone publishes nothing for it).
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("link", { name: "Check what is published now" }).click(),
    ]);
    await expect(page.locator("#dns-findings tr[data-check=spf]").count()).resolves.toBeGreaterThan(0);
    await observer.check(page, "dns-check");
    await page.goto(`${worker.origin}/admin/domains`);
    await observer.check(page, "domains");

    await page.goto(`${worker.origin}/admin/aliases`);
    await page.fill("#address", "not an address");
    await submit(page, "Create alias");
    await expect(page.locator("#address-error").textContent()).resolves.toBeTruthy();
    await page.fill("#address", "hello@example.test");
    await page.fill("#destinations", "someone@elsewhere.example");
    await submit(page, "Create alias");
    expect(page.url()).toContain("/admin/aliases/hello%40example.test");
    await page.goto(`${worker.origin}/admin/aliases`);
    await expect(page.locator("text=hello@example.test").count()).resolves.toBeGreaterThan(0);
    await observer.check(page, "aliases");

    await page.goto(`${worker.origin}/admin/lists`);
    await page.fill("#address", LIST);
    await page.fill("#name", "Team");
    await submit(page, "Create list");
    expect(page.url()).toContain(`/admin/lists/${encodeURIComponent(LIST)}`);
    await observer.check(page, "list-settings");
    expect((await api(`/lists/${LIST}`)).body.policy).toBe("members");
  }, 300_000);

  it("bulk-adds 200 members from a CSV file, with a result per line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "facteur-csv-"));
    const csv = join(dir, "members.csv");
    const lines = ["email,name"];
    for (let i = 0; i < 200; i++) lines.push(`member${i}@members.example,Member ${i}`);
    lines.push("not-an-address,Broken");
    writeFileSync(csv, `${lines.join("\n")}\n`);
    await page.goto(`${worker.origin}/admin/lists/${encodeURIComponent(LIST)}/members`);
    await page.setInputFiles("#members-csv", csv);
    await page.check("input[name=skip_confirmation]");
    await submit(page, "Add members");
    await expect(page.locator("[aria-label='Import results'] .notice").textContent()).resolves.toContain(
      "200 added, 0 pending confirmation, 1 invalid",
    );
    await expect(page.locator("#import-results tbody tr").count()).resolves.toBe(201);
    await observer.check(page, "members-import");
    let count = 0;
    let cursor: string | null = null;
    do {
      const { body } = await api(`/lists/${LIST}/members?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
      count += body.items.length;
      cursor = body.next_cursor;
    } while (cursor);
    expect(count).toBe(200);
    await page.goto(`${worker.origin}/admin/lists/${encodeURIComponent(LIST)}/members?q=member199`);
    await expect(page.locator("tbody tr").count()).resolves.toBe(1);
    await observer.check(page, "members");
  }, 300_000);

  it("holds a non-member post with an XSS subject, shows it inert, and approves it", async () => {
    expect(await injectMail("outsider@sender.example", LIST, XSS, "xss-1")).toBe(200);
    await page.goto(`${worker.origin}/admin/lists/${encodeURIComponent(LIST)}/held`);
    await expect(page.locator(`text=${XSS}`).count()).resolves.toBe(1);
    await expect(page.locator("img[src=x]").count()).resolves.toBe(0);
    await observer.check(page, "held-queue");
    await Promise.all([page.waitForNavigation(), page.getByRole("link", { name: XSS, exact: true }).click()]);
    await expect(page.locator("pre").textContent()).resolves.toContain("<script>alert(2)</script>");
    const frame = page.frameLocator("iframe.preview");
    await expect(frame.locator("b").textContent()).resolves.toBe("list");
    await expect(frame.locator("script").count()).resolves.toBe(0);
    await expect(frame.locator("img[src]").count()).resolves.toBe(0);
    expect(await page.locator("iframe.preview").getAttribute("sandbox")).toBe("");
    await observer.check(page, "held-preview");
    await page.selectOption("#one-action", "approve");
    await submit(page, "Apply");
    await expect(page.locator(".notice").textContent()).resolves.toContain("approved");
    const copies = await waitFor("the approved post in the outbox", async () => {
      const { body } = await api("/outbox?limit=100&raw=false");
      const toMembers = body.items.filter((m: { rcpt_to: string[] }) =>
        m.rcpt_to.some((r) => r.endsWith("@members.example")),
      );
      const recipients = new Set(toMembers.flatMap((m: { rcpt_to: string[] }) => m.rcpt_to));
      return recipients.size >= 1 ? recipients : null;
    });
    // The fan-out goes on in the queue; its first copies prove the approval distributed the post.
    expect([...copies].every((r) => String(r).endsWith("@members.example"))).toBe(true);
  }, 300_000);

  it("shows the inbound log row and the dashboard counts the traffic", async () => {
    await page.goto(`${worker.origin}/admin/logs?rcpt=${encodeURIComponent(LIST)}`);
    const row = page.locator("#inbound-log tbody tr").first();
    await expect(row.textContent()).resolves.toContain(XSS);
    await expect(page.locator("img[src=x]").count()).resolves.toBe(0);
    await observer.check(page, "inbound-log");
    await page.goto(`${worker.origin}/admin/logs?q=${encodeURIComponent("onerror=alert")}`);
    await expect(page.locator("#inbound-log tbody tr").count()).resolves.toBe(1);
    // The row's details are folded (<details>): open them as a reader would, then follow the link.
    await page.locator("#inbound-log tbody tr summary").first().click();
    await Promise.all([page.waitForNavigation(), page.getByRole("link", { name: "Details and deliveries" }).click()]);
    await expect(page.locator("#message-detail").textContent()).resolves.toContain(XSS);
    await expect(page.locator("#auth-results tbody tr").count()).resolves.toBe(4);
    await expect(page.locator("img[src=x]").count()).resolves.toBe(0);
    await observer.check(page, "message-detail");
    await page.goto(`${worker.origin}/admin/deliveries`);
    await observer.check(page, "deliveries");
    await page.goto(`${worker.origin}/admin`);
    const inbound = page.locator("#chart-inbound rect[data-decision]");
    await expect(inbound.count()).resolves.toBeGreaterThan(0);
    const counted = await inbound.evaluateAll((rects) =>
      rects.reduce((sum, r) => sum + Number(r.getAttribute("data-count")), 0),
    );
    expect(counted).toBeGreaterThanOrEqual(1);
    await expect(page.locator("#chart-deliveries rect[data-label]").count()).resolves.toBeGreaterThan(0);
    await expect(page.locator("#chart-dmarc").textContent()).resolves.toMatch(/of \d+ messages/);
    await observer.check(page, "dashboard");
  }, 300_000);

  it("retries a deferred delivery now from the failed-and-deferred page", async () => {
    // other.test relays through a loopback port where nothing listens: every attempt is deferred.
    await page.goto(`${worker.origin}/admin/domains/other.test`);
    await page.fill("#relay_url", "smtp://127.0.0.1:1");
    await submit(page, "Save");
    await page.goto(`${worker.origin}/admin/aliases`);
    await page.fill("#address", "ops@other.test");
    await page.fill("#destinations", "stuck@elsewhere.example");
    await submit(page, "Create alias");
    expect(await injectMail("someone@sender.example", "ops@other.test", "Stuck", "stuck-1")).toBe(200);
    const waiting = await waitFor("a deferred delivery", async () => {
      for (const status of ["deferred", "relay-error"]) {
        const { body } = await api(`/deliveries?status=${status}`);
        const row = body.items.find((d: { rcpt: string }) => d.rcpt === "stuck@elsewhere.example");
        if (row) return row;
      }
      return null;
    });
    await page.goto(`${worker.origin}/admin/deliveries/problems`);
    await expect(page.locator(`tr[data-id="${waiting.id}"]`).count()).resolves.toBe(1);
    await observer.check(page, "deliveries-problems");
    await submit(page, "Retry now: stuck@elsewhere.example");
    await expect(page.locator(".notice").first().textContent()).resolves.toContain(
      "stuck@elsewhere.example queued for an attempt now",
    );
    // The attempt ran at once: one more attempt recorded, long before the backoff would have.
    await waitFor(
      "the retried attempt",
      async () => {
        const { body } = await api(`/deliveries?message=${waiting.message}`);
        return body.items.some((d: { attempts: number }) => d.attempts > waiting.attempts);
      },
      60_000,
    );
  }, 300_000);

  it("refuses a form posted without its CSRF token", async () => {
    const response = await page.request.post(`${worker.origin}/admin/domains`, { form: { name: "csrf.test" } });
    expect(response.status()).toBe(403);
    expect((await api("/domains/csrf.test")).status).toBe(404);
  }, 300_000);

  it("keeps a domain token to its own domain", async () => {
    await page.goto(`${worker.origin}/admin/tokens`);
    await page.fill("#token-name", "other-only");
    await page.fill("#scopes", "domain:other.test");
    await submit(page, "Create token");
    const token = (await page.locator("#new-token").textContent())?.trim() ?? "";
    expect(token).toMatch(/^fct_/);
    await observer.check(page, "tokens");
    const context = await observer.context(browser);
    const p = await signInWithToken(context, token);
    await p.goto(`${worker.origin}/admin/domains`);
    await expect(p.locator("text=other.test").count()).resolves.toBeGreaterThan(0);
    await expect(p.locator("text=example.test").count()).resolves.toBe(0);
    for (const path of [
      "/admin/domains/example.test",
      `/admin/lists/${encodeURIComponent(LIST)}`,
      `/admin/lists/${encodeURIComponent(LIST)}/members`,
      `/admin/lists/${encodeURIComponent(LIST)}/held`,
      "/admin/tokens",
    ]) {
      const response = await p.goto(`${worker.origin}${path}`);
      expect([403, 404], path).toContain(response?.status());
    }
    await context.close();
  }, 300_000);

  it("shows the remaining operator pages", async () => {
    for (const name of ["users", "suppressions", "destinations"]) {
      await page.goto(`${worker.origin}/admin/${name}`);
      await observer.check(page, name);
    }
    await page.goto(`${worker.origin}/api/docs`);
    await page.waitForSelector(".swagger-ui .info", { timeout: 30_000 });
    await observer.check(page, "api-docs");
  }, 300_000);

  it("lets a user send as their alias from the send-as form", async () => {
    // Submissions are DKIM-signed: example.test needs its own key (the first one went to other.test).
    await page.goto(`${worker.origin}/admin/domains/example.test`);
    await submit(page, "Generate a key");
    await page.goto(`${worker.origin}/admin/users`);
    await page.fill("#user-name", "ann");
    await page.fill("#user-password", "correct horse battery");
    await page.fill("#mailboxes", "ann@home.example");
    await submit(page, "Create user");
    await page.goto(`${worker.origin}/admin/aliases`);
    await page.fill("#address", "ann@example.test");
    await page.fill("#owner", "ann");
    await submit(page, "Create alias");
    const context = await observer.context(browser);
    const p = await context.newPage();
    await p.goto(`${worker.origin}/admin/sign-in`);
    await p.fill("#name", "ann");
    await p.fill("#password", "correct horse battery");
    await submit(p, "Sign in");
    expect(p.url()).toBe(`${worker.origin}/admin/account`);
    await p.fill("#send-to", "not an address");
    await p.fill("#send-subject", "Hello");
    await submit(p, "Send");
    await expect(p.locator("#to-error").textContent()).resolves.toBeTruthy();
    await p.fill("#send-to", "friend@far.example");
    await p.fill("#send-subject", "Sent from the page");
    await p.fill("#send-text", "Hello from the send-as form.");
    await submit(p, "Send");
    await expect(p.locator(".notice").textContent()).resolves.toContain("Queued for delivery as ann@example.test");
    await observer.check(p, "account-send-as");
    await waitFor("the sent message in the outbox", async () => {
      const { body } = await api("/outbox?limit=100");
      // friend@far.example is written to by nothing else (the Subject is MIME-encoded in the raw).
      return body.items.find((m: { rcpt_to: string[] }) => m.rcpt_to.includes("friend@far.example"));
    });
    await context.close();
  }, 300_000);

  it("signs a member in by a mailed link, and lets them unsubscribe", async () => {
    const context = await observer.context(browser);
    const p = await context.newPage();
    await p.goto(`${worker.origin}/admin/sign-in/member`);
    await observer.check(p, "member-sign-in");
    await p.fill("#address", "nobody@nowhere.example");
    await submit(p, "Mail me a sign-in link");
    const forStranger = await p.locator(".notice").textContent();
    await p.fill("#address", MEMBER);
    await submit(p, "Mail me a sign-in link");
    expect(await p.locator(".notice").textContent()).toBe(forStranger);
    const link = await waitFor("the sign-in link in the outbox", async () => {
      const { body } = await api("/outbox?limit=100");
      const mail = body.items.find(
        (m: { rcpt_to: string[]; raw: string | null }) =>
          m.rcpt_to.includes(MEMBER) && m.raw?.includes("/admin/sign-in/link/"),
      );
      return mail?.raw.match(/http:\/\/[^\s]+\/admin\/sign-in\/link\/[A-Za-z0-9_-]+/)?.[0];
    });
    await p.goto(link);
    await submit(p, "Sign in");
    expect(p.url()).toBe(`${worker.origin}/admin/me`);
    await observer.check(p, "member-subscriptions");
    await submit(p, `Unsubscribe from ${LIST}`);
    await expect(p.locator(".notice").textContent()).resolves.toContain("unsubscribed");
    expect((await api(`/lists/${LIST}/members/${MEMBER}`)).body).toMatchObject({
      status: "disabled",
      disabled_reason: "unsubscribed",
    });
    // Single use: the same link does not sign in twice.
    const again = await context.newPage();
    await again.goto(link);
    await submit(again, "Sign in");
    await expect(again.locator("h1").textContent()).resolves.not.toBe("My subscriptions");
    await context.close();
  }, 300_000);

  it("saw no request leave the origin, no dialog, and no serious axe violation", () => {
    expect(observer.foreign).toEqual([]);
    expect(observer.dialogs).toEqual([]);
    // Swagger UI (/api/docs) is swagger-ui-dist's own markup, not ours: reported, not asserted.
    expect(observer.serious().filter((f) => f.page !== "api-docs")).toEqual([]);
    expect(observer.shots.length).toBeGreaterThanOrEqual(22);
    console.log(
      `web: ${observer.shots.length} screenshots (${observer.shots.join(", ")}); axe findings: ${JSON.stringify(observer.axe)}`,
    );
  }, 300_000);
});
