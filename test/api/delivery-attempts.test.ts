/**
 * Attempt history (migrations/0020_create_delivery_attempts.sql): each attempt the real delivery
 * consumer (queue()) makes is kept with its SMTP reply, shown by GET /api/v1/messages/{id} and the
 * message detail page, limited to the principal's domains, and deleted with its deliveries by the
 * retention sweep's store calls.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { deleteDeliveriesByBodies, listExpiredDeliveryBodies } from "../../src/store/delivery-sweeps";
import { insertMessageLog } from "../../src/store/messages";
import { ORIGINAL, rows, runJobs, scriptedRelay, testEnv, uid } from "../deliver/helpers";
import { call, createDomainFixture, createTokenFixture, jsonOf } from "./helpers";

const ORIGIN = "https://facteur.test";

async function logMessage(domain: string): Promise<string> {
  const id = newId();
  await insertMessageLog(env.DB, {
    id,
    receivedAt: Date.now(),
    mailFrom: "alice@example.org",
    rcptTo: `bob@${domain}`,
    domain,
    messageId: `<${id}@example.org>`,
    subject: "history",
    fromHeader: "alice@example.org",
    size: 100,
    auth: null,
    decision: "forwarded",
    rule: "alias",
    smtpReply: null,
    reason: null,
    destinations: [],
  }).run();
  return id;
}

async function enqueueFor(e: ReturnType<typeof testEnv>, messageLogId: string, domain: string, rcpt: string) {
  await enqueueDelivery(e, {
    origin: "alias",
    messageLogId,
    raw: ORIGINAL,
    mailFrom: "alice@example.org",
    recipients: [rcpt],
    domain,
    senderAuthenticated: true,
  });
}

async function adminCookie(): Promise<string> {
  const page = await SELF.fetch(`${ORIGIN}/admin/sign-in`, { headers: { "cf-connecting-ip": "198.51.100.77" } });
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
  const signedIn = await SELF.fetch(`${ORIGIN}/admin/sign-in/token`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "198.51.100.77" },
    body: new URLSearchParams({ _csrf: csrf, token: "test-admin-token" }),
  });
  return (signedIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

describe("delivery attempt history", () => {
  it("a delivery deferred then sent has two attempts with their replies, in the API and on the page", async () => {
    const mine = `mine-${uid()}.test`;
    const theirs = `theirs-${uid()}.test`;
    await createDomainFixture(mine);
    await createDomainFixture(theirs);
    const id = await logMessage(mine);
    const e = testEnv();
    const later = `later-${uid()}@dest.example`;
    const other = `other-${uid()}@dest.example`;
    await enqueueFor(e, id, mine, later);
    // The same message also led to a delivery on behalf of another domain of ours.
    await enqueueFor(e, id, theirs, other);
    const { relay } = scriptedRelay((_rcpt, n) => (n < 2 ? "temporary" : "sent"));
    const deps = { relayFor: async () => relay, random: () => 0 };
    await runJobs(e.DELIVERY_QUEUE.jobs, e, deps, 1);
    await runJobs(e.DELIVERY_QUEUE.jobs, e, deps, 2);
    // A late duplicate of the job after "sent" records nothing more.
    await runJobs(e.DELIVERY_QUEUE.jobs, e, deps, 3);
    expect((await rows(id)).map((r) => [r.status, r.attempts])).toEqual([
      ["sent", 2],
      ["sent", 2],
    ]);

    const body = await jsonOf(await call("GET", `/api/v1/messages/${id}`));
    const [laterRow] = (await rows(id)).filter((r) => r.rcpt === later);
    const ofLater = body.attempts.filter((a: { delivery: string }) => a.delivery === laterRow?.id);
    expect(
      ofLater.map((a: Record<string, unknown>) => [a.attempt, a.status, a.reply, a.enhanced_code, a.relay]),
    ).toEqual([
      [1, "deferred", "451 4.3.0 try later", "4.3.0", "scripted"],
      [2, "sent", "250 2.0.0 Ok", "2.0.0", "scripted"],
    ]);
    expect(body.attempts).toHaveLength(4);

    // A domain token sees its own domain's attempts only, and not another domain's message at all.
    const own = await createTokenFixture([`domain:${mine}`]);
    const scoped = await jsonOf(await call("GET", `/api/v1/messages/${id}`, { token: own.token }));
    expect(scoped.attempts.map((a: { delivery: string }) => a.delivery)).toEqual([laterRow?.id, laterRow?.id]);
    const stranger = await createTokenFixture([`domain:${theirs}`]);
    expect((await call("GET", `/api/v1/messages/${id}`, { token: stranger.token })).status).toBe(404);

    const cookie = await adminCookie();
    const page = await SELF.fetch(`${ORIGIN}/admin/logs/${id}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const table = html.slice(html.indexOf('<table id="attempts"'));
    expect(table).toContain("451 4.3.0 try later");
    expect(table).toContain("250 2.0.0 Ok");
    expect(table).toContain(later);
    expect(table.match(/<tr>/g)?.length).toBe(5);
  });

  it("the retention sweep deletes the attempts with their deliveries", async () => {
    const domain = `sweep-${uid()}.test`;
    await createDomainFixture(domain);
    const id = await logMessage(domain);
    const e = testEnv();
    await enqueueFor(e, id, domain, `gone-${uid()}@dest.example`);
    const { relay } = scriptedRelay(() => "sent");
    await runJobs(e.DELIVERY_QUEUE.jobs, e, { relayFor: async () => relay });
    const [row] = await rows(id);
    const count = async () =>
      (
        await env.DB.prepare("SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id = ?1")
          .bind(row?.id)
          .first<{ n: number }>()
      )?.n;
    expect(await count()).toBe(1);
    const cutoff = Date.now() + 60_000;
    const bodies = await listExpiredDeliveryBodies(env.DB, cutoff, 1000);
    expect(bodies).toContain(row?.r2_key);
    expect(await deleteDeliveriesByBodies(env.DB, [String(row?.r2_key)], cutoff)).toBe(1);
    expect(await count()).toBe(0);
  });
});
