/**
 * Webhooks end to end: email() queues a job per webhook, queue() POSTs it to a real receiver on
 * 127.0.0.1 that verifies the Standard Webhooks signature with the `standardwebhooks` package.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { insertAlias } from "../../src/store/aliases";
import { upsertDestination } from "../../src/store/destinations";
import { insertDomain } from "../../src/store/domains";
import { findWebhook } from "../../src/store/webhooks";
import { mail } from "../helpers/email";
import { addWebhook, hookEnv, hookUrl, receive, receivedBy, runWebhookJobs } from "./helpers";

const fixedRandom = () => 0.5; // no jitter
const DAY = 86_400_000;

const MULTIPART = [
  "From: Alice <alice@sender.test>",
  "To: shop@hooks.test",
  "Subject: Order 42",
  "Message-ID: <order-42@sender.test>",
  "Date: Wed, 25 Nov 2026 09:00:00 +0000",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b1"',
  "",
  "--b1",
  'Content-Type: multipart/alternative; boundary="b2"',
  "",
  "--b2",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Plain body.",
  "--b2",
  "Content-Type: text/html; charset=utf-8",
  "",
  "<p>HTML body.</p>",
  "--b2--",
  "--b1",
  'Content-Type: application/pdf; name="invoice.pdf"',
  'Content-Disposition: attachment; filename="invoice.pdf"',
  "Content-Transfer-Encoding: base64",
  "",
  "JVBERi0xLjQKJcfsj6IK",
  "--b1--",
  "",
].join("\r\n");

beforeAll(async () => {
  await env.DB.batch([
    insertDomain(env.DB, { name: "hooks.test" }),
    insertDomain(env.DB, { name: "nohooks.test" }),
    insertAlias(env.DB, { address: "quiet@nohooks.test", domain: "nohooks.test", destinations: ["owner@gmail.com"] }),
    upsertDestination(env.DB, "owner@gmail.com", true),
    ...["shop", "timeout", "gone", "late", "big", "other"].map((local) =>
      insertAlias(env.DB, { address: `${local}@hooks.test`, domain: "hooks.test", destinations: ["owner@gmail.com"] }),
    ),
  ]);
});

async function one(alias: string, raw: string) {
  const { env: e, jobs } = hookEnv();
  const captured = await receive(e, raw, "alice@sender.test", alias);
  expect(captured.rejected).toBeUndefined();
  expect(captured.forwards.map((f) => f.to)).toEqual(["owner@gmail.com"]);
  return { e, jobs };
}

async function delivery(id: string) {
  return env.DB.prepare("SELECT * FROM webhook_deliveries WHERE id = ?1").bind(id).first<Record<string, unknown>>();
}

async function attempts(id: string) {
  const { results } = await env.DB.prepare("SELECT * FROM webhook_attempts WHERE delivery_id = ?1 ORDER BY attempt")
    .bind(id)
    .all<{ attempt: number; status: number | null; error: string | null }>();
  return results;
}

describe("webhooks", () => {
  it("retries after a 500 and delivers a signed payload with the parsed message", async () => {
    await addWebhook("wh-shop", "hooks.test", "shop@hooks.test", hookUrl("shop", "500,200"));
    const { e, jobs } = await one("shop@hooks.test", MULTIPART);
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;

    const first = await runWebhookJobs([job], e, { random: fixedRandom });
    expect(first.result.retryMessages).toHaveLength(1);
    expect(first.retries).toEqual([5]);
    expect(await delivery(job.deliveryId)).toMatchObject({ status: "pending", attempts: 1, last_status: 500 });

    const second = await runWebhookJobs([job], e, { random: fixedRandom }, 2);
    expect(second.result.explicitAcks).toHaveLength(1);
    expect(await delivery(job.deliveryId)).toMatchObject({ status: "delivered", attempts: 2, last_status: 200 });
    expect((await attempts(job.deliveryId)).map((a) => a.status)).toEqual([500, 200]);

    const got = await receivedBy("shop");
    expect(got).toHaveLength(2);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(new Set(got.map((r) => r.headers["webhook-id"]))).toEqual(new Set([job.deliveryId]));
    const payload = JSON.parse(got[1]!.body);
    expect(payload.type).toBe("email.received");
    expect(payload.data).toMatchObject({
      alias: "shop@hooks.test",
      envelope: { mail_from: "alice@sender.test", rcpt_to: "shop@hooks.test" },
      message_id: "<order-42@sender.test>",
      subject: "Order 42",
      from: { name: "Alice", address: "alice@sender.test" },
      text: "Plain body.\n",
      html: "<p>HTML body.</p>\n",
      attachments: [{ filename: "invoice.pdf", mime_type: "application/pdf", disposition: "attachment", size: 15 }],
      auth: { spf: "none", dmarc: "fail", authenticated: false },
    });
    expect(payload.data.headers).toContainEqual({ name: "subject", value: "Order 42" });
    expect(atob(payload.data.raw.base64)).toBe(MULTIPART);
  });

  it("retries a POST that timed out with the same webhook-id, and never POSTs a delivered job again", async () => {
    await addWebhook("wh-timeout", "hooks.test", "timeout@hooks.test", hookUrl("timeout", "hang,200"));
    const { e, jobs } = await one("timeout@hooks.test", mail({ From: "alice@sender.test", Subject: "slow" }));
    const job = jobs[0]!;
    const deps = { random: fixedRandom, webhookTimeoutMs: 400 };
    const first = await runWebhookJobs([job], e, deps);
    expect(first.result.retryMessages).toHaveLength(1);
    const [timedOut] = await attempts(job.deliveryId);
    expect(timedOut).toMatchObject({ status: null, error: "no answer within 400 ms" });

    await runWebhookJobs([job], e, deps, 2);
    expect(await delivery(job.deliveryId)).toMatchObject({ status: "delivered" });
    // Queues may hand the same job over again: the delivery row makes it a no-op.
    const again = await runWebhookJobs([job], e, deps, 3);
    expect(again.result.explicitAcks).toHaveLength(1);

    const got = await receivedBy("timeout");
    // The receiver saw the first POST (its answer came too late) and the retry: a duplicate the
    // receiver can drop, because both carry the same webhook-id.
    expect(got).toHaveLength(2);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(got[0]!.headers["webhook-id"]).toBe(job.deliveryId);
    expect(got[1]!.headers["webhook-id"]).toBe(job.deliveryId);
    expect(got[0]!.body).not.toBe("");
  });

  it("disables the webhook on 410 Gone and queues nothing for it afterwards", async () => {
    await addWebhook("wh-gone", "hooks.test", "gone@hooks.test", hookUrl("gone", "410"));
    const { e, jobs } = await one("gone@hooks.test", mail({ From: "alice@sender.test", Subject: "first" }));
    const run = await runWebhookJobs(jobs, e, { random: fixedRandom });
    expect(run.result.explicitAcks).toHaveLength(1);
    expect(await delivery(jobs[0]!.deliveryId)).toMatchObject({ status: "gone", last_status: 410 });
    expect(await findWebhook(env.DB, "wh-gone")).toMatchObject({ enabled: false, disabledReason: expect.any(String) });
    const later = await one("gone@hooks.test", mail({ From: "alice@sender.test", Subject: "second" }));
    expect(later.jobs).toEqual([]);
    expect(await receivedBy("gone")).toHaveLength(1);
  });

  it("gives up at the horizon (GIVE_UP_DAYS) after failures", async () => {
    await addWebhook("wh-late", "hooks.test", "late@hooks.test", hookUrl("late", "503"));
    const { e, jobs } = await one("late@hooks.test", mail({ From: "alice@sender.test" }));
    const job = jobs[0]!;
    const soon = await runWebhookJobs([job], e, { random: fixedRandom });
    expect(soon.result.retryMessages).toHaveLength(1);
    const later = Date.now() + 5 * DAY + 1000;
    const last = await runWebhookJobs([job], e, { random: fixedRandom, now: () => later }, 9);
    expect(last.result.explicitAcks).toHaveLength(1);
    expect(await delivery(job.deliveryId)).toMatchObject({ status: "failed", attempts: 2, last_status: 503 });
  });

  it("sends a large message by a signed, time-limited link that the Worker serves", async () => {
    await addWebhook("wh-big", "hooks.test", null, hookUrl("big", "200"));
    const big = mail({ From: "alice@sender.test", Subject: "big" }, `${"x".repeat(998)}\r\n`.repeat(100));
    const { e, jobs } = await one("big@hooks.test", big);
    // The domain-wide hook fires for this alias; no per-alias hook exists for it.
    expect(jobs).toHaveLength(1);
    await runWebhookJobs(jobs, e, {});
    const [got] = await receivedBy("big");
    expect(got?.verified).toBe(true);
    const raw = JSON.parse(got!.body).data.raw;
    expect(raw.base64).toBeUndefined();
    expect(raw.size).toBe(big.length);
    const url = new URL(raw.url);
    expect(url.origin).toBe("https://hooks.test");
    const worker = createWorker();
    const path = `http://worker${url.pathname}`;
    const ok = await worker.fetch(new Request(`${path}${url.search}`), env, {} as ExecutionContext);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(big);
    const forged = new URLSearchParams(url.search);
    forged.set("expires", String(Number(forged.get("expires")) + 1));
    expect((await worker.fetch(new Request(`${path}?${forged}`), env, {} as ExecutionContext)).status).toBe(404);
    const expired = await createWorker().fetch(
      new Request(`${path}?expires=1&signature=00`),
      env,
      {} as ExecutionContext,
    );
    expect(expired.status).toBe(404);
  });

  it("queues nothing when neither the alias nor its domain has a webhook", async () => {
    const quiet = await one("quiet@nohooks.test", mail({ From: "alice@sender.test" }));
    expect(quiet.jobs).toEqual([]);
    expect(await env.MAIL.list({ prefix: "webhooks/" }).then((l) => l.objects.length)).toBeGreaterThan(0);
    // wh-big is domain-wide on hooks.test: it fires for any alias there.
    const other = await one("other@hooks.test", mail({ From: "alice@sender.test" }));
    expect(other.jobs).toHaveLength(1);
  });
});
