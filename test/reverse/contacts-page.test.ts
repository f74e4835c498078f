/**
 * The contacts page under /admin through the Worker's real fetch(): lists an alias's contacts with
 * their reverse addresses, blocks one (CSRF-checked POST through the API), and "block this sender"
 * from a logged message.
 */
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, ok } from "../api/helpers";
import { mail } from "../helpers/email";
import { deliver, servedDomain } from "./helpers";

const ORIGIN = "https://facteur.test";
const ALIAS = "page@web-rev.test";
const XSS = "<img src=x onerror=alert(1)>";

async function post(path: string, cookie: string, form: Record<string, string>) {
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "198.51.100.77" },
    body: new URLSearchParams(form),
  });
}

async function signIn(): Promise<string> {
  const pre = await SELF.fetch(`${ORIGIN}/admin/sign-in`, { headers: { "cf-connecting-ip": "198.51.100.77" } });
  const csrf = (await pre.text()).match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
  const cookie = (pre.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const signed = await post("/admin/sign-in/token", cookie, { _csrf: csrf, token: "test-admin-token" });
  return (signed.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

async function page(cookie: string): Promise<string> {
  const response = await SELF.fetch(`${ORIGIN}/admin/aliases/${ALIAS}/contacts`, { headers: { cookie } });
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  await servedDomain("web-rev.test");
  await ok(
    await call("POST", "/api/v1/aliases", { body: { address: ALIAS, destinations: ["far@elsewhere.test"] } }),
    201,
  );
});

describe("the contacts page", () => {
  it("lists contacts with their reverse addresses, blocks one, and blocks a sender from the log", async () => {
    const cookie = await signIn();
    const csrf = (await page(cookie)).match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
    const added = await post(`/admin/aliases/${ALIAS}/contacts`, cookie, { _csrf: csrf, address: "gina@ext.test" });
    expect(added.status).toBe(303);
    const html = await page(cookie);
    expect(html).toContain("gina@ext.test");
    expect(html).toMatch(/<code>rv-[a-z2-7]{26}@web-rev\.test<\/code>/);
    const id = (await env.DB.prepare("SELECT id FROM contacts WHERE address = 'gina@ext.test'").first<{ id: string }>())
      ?.id;
    expect((await post(`/admin/aliases/${ALIAS}/contacts/${id}`, cookie, { blocked: "yes" })).status).toBe(403);
    expect((await post(`/admin/aliases/${ALIAS}/contacts/${id}`, cookie, { _csrf: csrf, blocked: "yes" })).status).toBe(
      303,
    );
    expect(await page(cookie)).toContain("Unblock");

    await deliver(mail({ From: `"${XSS}" <hank@ext.test>`, To: ALIAS, Subject: XSS }), {
      from: "hank@ext.test",
      to: ALIAS,
    });
    const logged = await env.DB.prepare("SELECT id FROM messages WHERE rcpt_to = ?1 ORDER BY id DESC LIMIT 1")
      .bind(ALIAS)
      .first<{ id: string }>();
    const log = await (await SELF.fetch(`${ORIGIN}/admin/logs?rcpt=${ALIAS}`, { headers: { cookie } })).text();
    expect(log).toContain(`action="/admin/logs/${logged?.id}/block-sender"`);
    const blocked = await post(`/admin/logs/${logged?.id}/block-sender`, cookie, { _csrf: csrf });
    expect(blocked.status, await blocked.clone().text()).toBe(303);
    const after = await page(cookie);
    expect(after).toContain("hank@ext.test");
    expect(after).not.toContain("<img");
    const refused = await deliver(mail({ From: "hank@ext.test", To: ALIAS, Subject: "again" }), {
      from: "hank@ext.test",
      to: ALIAS,
    });
    expect(refused.rejected).toMatch(/^550 5\.7\.1 /);
  });
});
