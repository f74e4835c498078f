/**
 * Bulk retry from the failed and deferred page, through the Worker's real fetch(): every selected
 * deferred delivery is made due now by the API route, a selection without ids is a 400 naming the
 * field, and a form without its CSRF token is refused.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { ORIGINAL, rows, testEnv, uid } from "../deliver/helpers";

const ORIGIN = "https://facteur.test";
const IP = "198.51.100.78";

async function session(): Promise<{ cookie: string; csrf: string }> {
  const page = await SELF.fetch(`${ORIGIN}/admin/sign-in`, { headers: { "cf-connecting-ip": IP } });
  const pre = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const preCsrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
  const signedIn = await post("/admin/sign-in/token", pre, { _csrf: preCsrf, token: "test-admin-token" });
  const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const html = await (await SELF.fetch(`${ORIGIN}/admin/deliveries/problems`, { headers: { cookie } })).text();
  return { cookie, csrf: html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "" };
}

function post(path: string, cookie: string, form: [string, string][] | Record<string, string>) {
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": IP },
    body: new URLSearchParams(form),
  });
}

async function deferred(): Promise<{ id: string; rowId: string }> {
  const id = `bulk-${uid()}`;
  await enqueueDelivery(testEnv(), {
    origin: "alias",
    messageLogId: id,
    raw: ORIGINAL,
    mailFrom: "alice@example.org",
    recipients: [`r-${uid()}@dest.example`],
    domain: "facteur.test",
    senderAuthenticated: true,
  });
  await env.DB.prepare(
    "UPDATE deliveries SET status = 'deferred', attempts = 1, next_attempt_at = ?1, last_reply = '451 4.3.0 later' WHERE message_log_id = ?2",
  )
    .bind(Date.now() + 3_600_000, id)
    .run();
  return { id, rowId: String((await rows(id))[0]?.id) };
}

describe("bulk retry of deferred deliveries", () => {
  it("makes every selected delivery due now, and refuses an empty selection or a missing CSRF token", async () => {
    const [a, b, untouched] = [await deferred(), await deferred(), await deferred()];
    const { cookie, csrf } = await session();
    const noCsrf = await post("/admin/deliveries/bulk/retry", cookie, [["id", a.rowId]]);
    expect(noCsrf.status).toBe(403);
    expect(Number((await rows(a.id))[0]?.next_attempt_at)).toBeGreaterThan(Date.now() + 3_000_000);

    const before = Date.now();
    const response = await post("/admin/deliveries/bulk/retry", cookie, [
      ["_csrf", csrf],
      ["id", a.rowId],
      ["id", b.rowId],
    ]);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("2 queued for an attempt now");
    for (const { id } of [a, b]) {
      const [row] = await rows(id);
      expect(Number(row?.next_attempt_at)).toBeLessThan(before + 60_000);
    }
    expect(Number((await rows(untouched.id))[0]?.next_attempt_at)).toBeGreaterThan(Date.now() + 3_000_000);

    const empty = await post("/admin/deliveries/bulk/retry", cookie, [["_csrf", csrf]]);
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("id: select at least one delivery");
  });
});
