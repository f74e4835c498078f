import { env } from "cloudflare:test";
import PostalMime from "postal-mime";
import { describe, expect, it, vi } from "vitest";
import { parseDsn } from "../../src/bounce/dsn-parse";
import type { DeliveryJob } from "../../src/core/jobs";
import { QUEUES } from "../../src/core/queues";
import { enqueueDelivery, enqueueDeliveryJobs, storeDeliveryBody } from "../../src/deliver/enqueue";
import { srsForward } from "../../src/mail/srs";
import { listDeliveries } from "../../src/store/deliveries";
import { listOutbox } from "../../src/store/outbox";
import { failingBinding, ORIGINAL, rows, runJobs, scriptedRelay, testEnv, uid } from "./helpers";

const DAY = 86_400_000;

async function enqueue(
  e: ReturnType<typeof testEnv>,
  recipients: string[],
  options: { mailFrom?: string; senderAuthenticated?: boolean; raw?: string; domain?: string } = {},
) {
  const id = `m-${uid()}`;
  await enqueueDelivery(e, {
    origin: "alias",
    messageLogId: id,
    raw: options.raw ?? ORIGINAL,
    mailFrom: options.mailFrom ?? "alice@example.org",
    recipients,
    domain: options.domain ?? "facteur.test",
    senderAuthenticated: options.senderAuthenticated ?? true,
  });
  const jobs = e.DELIVERY_QUEUE.jobs.splice(0);
  return { id, jobs };
}

const fixedRandom = () => 0.5; // no jitter: delays are the schedule's values

describe("delivery consumer, through queue()", () => {
  it("sends, records each recipient before acking, and passes the stored bytes unchanged", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["a@dest.example", "b@dest.example"]);
    const { relay, calls } = scriptedRelay(() => "sent");
    const { result, ids } = await runJobs(jobs, e, { relayFor: async () => relay });
    expect(result.explicitAcks).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.envelope).toEqual({ mailFrom: "alice@example.org", rcptTo: ["a@dest.example", "b@dest.example"] });
    expect(calls[0]!.raw).toBe(ORIGINAL);
    const stored = await rows(id);
    expect(stored.map((r) => [r.rcpt, r.status, r.attempts, r.relay, r.last_reply])).toEqual([
      ["a@dest.example", "sent", 1, "scripted", "250 2.0.0 Ok"],
      ["b@dest.example", "sent", 1, "scripted", "250 2.0.0 Ok"],
    ]);
  });

  it("never sends again to a recipient already accepted when Queues redelivers the job", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["a@dest.example"]);
    const { relay, calls } = scriptedRelay(() => "sent");
    await runJobs(jobs, e, { relayFor: async () => relay });
    const again = await runJobs(jobs, e, { relayFor: async () => relay }, 2);
    expect(again.result.explicitAcks).toEqual(again.ids);
    expect(calls).toHaveLength(1);
    expect((await rows(id))[0]!.attempts).toBe(1);
  });

  it("retries temporary failures with backoff and only the recipients still pending", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["ok@dest.example", "later@dest.example"]);
    const { relay, calls } = scriptedRelay((rcpt, n) => (rcpt.startsWith("later") && n < 3 ? "temporary" : "sent"));
    const deps = { relayFor: async () => relay, random: fixedRandom };

    const first = await runJobs(jobs, e, deps, 1);
    expect(first.result.explicitAcks).toEqual([]);
    expect(first.result.retryMessages).toEqual([{ msgId: first.ids[0] }]);
    expect(first.retries).toEqual([{ msgId: first.ids[0], delaySeconds: 60 }]);
    let stored = await rows(id);
    expect(stored.map((r) => [r.rcpt, r.status])).toEqual([
      ["later@dest.example", "deferred"],
      ["ok@dest.example", "sent"],
    ]);
    expect(stored[0]!.last_reply).toBe("451 4.3.0 try later");
    expect(Number(stored[0]!.next_attempt_at)).toBeGreaterThan(Date.now() + 50_000);

    const second = await runJobs(jobs, e, deps, 2);
    expect(second.retries).toEqual([{ msgId: second.ids[0], delaySeconds: 300 }]);
    const third = await runJobs(jobs, e, deps, 3);
    expect(third.result.explicitAcks).toEqual(third.ids);
    // ok@ got exactly one copy; later@ was tried three times.
    expect(calls.map((c) => c.envelope.rcptTo)).toEqual([
      ["ok@dest.example", "later@dest.example"],
      ["later@dest.example"],
      ["later@dest.example"],
    ]);
    stored = await rows(id);
    expect(stored.map((r) => [r.rcpt, r.status, r.attempts])).toEqual([
      ["later@dest.example", "sent", 3],
      ["ok@dest.example", "sent", 1],
    ]);
  });

  it("adds jitter to the delay and caps it at 12 hours", async () => {
    const e = testEnv();
    const { jobs } = await enqueue(e, ["t@dest.example"]);
    const { relay } = scriptedRelay(() => "temporary");
    const low = await runJobs(jobs, e, { relayFor: async () => relay, random: () => 0 }, 1);
    expect(low.retries[0]!.delaySeconds).toBe(48);
    const late = await runJobs(jobs, e, { relayFor: async () => relay, random: () => 0.999 }, 30);
    expect(late.retries[0]!.delaySeconds).toBe(12 * 60 * 60);
  });

  it("after GIVE_UP_DAYS a temporary failure becomes permanent (5.4.7) and is reported", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["slow@dest.example"]);
    const old: DeliveryJob[] = jobs.map((j) => ({ ...j, queuedAt: Date.now() - 5 * DAY - 1000 }));
    const { relay } = scriptedRelay(() => "temporary");
    const { result, ids } = await runJobs(old, e, { relayFor: async () => relay });
    expect(result.explicitAcks).toEqual(ids);
    const [row] = await rows(id);
    expect(row!.status).toBe("bounced");
    expect(String(row!.last_reply)).toMatch(/^451 4\.3\.0 try later \(gave up after 120 h/);
    expect(String(row!.dsn)).toMatch(/^queued:dsn\//);
    const [dsnJob] = e.DELIVERY_QUEUE.jobs;
    const report = await parseDsn(await (await env.MAIL.get(dsnJob!.r2Key))!.text());
    expect(report!.recipients[0]).toMatchObject({
      finalRecipient: "slow@dest.example",
      action: "failed",
      status: "5.4.7",
    });
  });

  it("a permanent failure sends an RFC 3464 DSN with the null sender, which lands in the capture outbox", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["gone@dest.example", "fine@dest.example"]);
    const { relay } = scriptedRelay((rcpt) =>
      rcpt.startsWith("gone")
        ? { rcpt, status: "permanent", reply: "550 5.1.1 <gone@dest.example>: Recipient address rejected" }
        : "sent",
    );
    const { result, ids } = await runJobs(jobs, e, { relayFor: async () => relay });
    expect(result.explicitAcks).toEqual(ids);
    const stored = await rows(id);
    expect(stored.map((r) => [r.rcpt, r.status])).toEqual([
      ["fine@dest.example", "sent"],
      ["gone@dest.example", "bounced"],
    ]);
    // The DSN job: null sender, to the original sender, origin dsn.
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(1);
    const dsnJob = e.DELIVERY_QUEUE.jobs.splice(0)[0]!;
    expect(dsnJob).toMatchObject({ origin: "dsn", mailFrom: "", messageLogId: id, autoSubmitted: true });
    expect(dsnJob.recipients.map((r) => r.rcpt)).toEqual(["alice@example.org"]);
    expect(stored[1]!.dsn).toBe(`queued:${dsnJob.r2Key}`);

    // Delivered through the default relay: RELAY_URL = "capture:" in wrangler.toml.
    const before = (await listOutbox(env, { limit: 100, withRaw: false })).rows.length;
    const sent = await runJobs([dsnJob], e);
    expect(sent.result.explicitAcks).toEqual(sent.ids);
    const outbox = await listOutbox(env, { limit: 100 });
    expect(outbox.rows.length).toBe(before + 1);
    const captured =
      outbox.rows.find((item) => item.rcptTo[0] === "alice@example.org" && item.raw?.includes(id)) ?? outbox.rows[0]!;
    expect(captured.mailFrom).toBe("");
    expect(captured.rcptTo).toEqual(["alice@example.org"]);

    const raw = captured.raw!;
    expect(raw).toMatch(/^Content-Type: multipart\/report; report-type=delivery-status; boundary=/m);
    expect(raw).toMatch(/^Auto-Submitted: auto-replied\r$/m);
    expect(raw).toMatch(/^From: Mail Delivery System <mailer-daemon@facteur\.test>\r$/m);
    expect(raw).toMatch(/^In-Reply-To: <original-1@example\.org>\r$/m);
    const parsed = await PostalMime.parse(raw, { attachmentEncoding: "utf8" });
    expect(parsed.text).toContain("<gone@dest.example>: 550 5.1.1");
    expect(parsed.attachments.map((a) => a.mimeType)).toEqual(["message/delivery-status", "text/rfc822-headers"]);
    const report = await parseDsn(raw);
    expect(report).toMatchObject({
      reportingMta: "mx.facteur.test",
      originalMessageId: "<original-1@example.org>",
      recipients: [
        {
          finalRecipient: "gone@dest.example",
          action: "failed",
          status: "5.1.1",
          diagnosticCode: "550 5.1.1 <gone@dest.example>: Recipient address rejected",
        },
      ],
    });
    expect(raw).toMatch(/^Final-Recipient: rfc822; gone@dest\.example\r$/m);
    expect(raw).toMatch(/^Diagnostic-Code: smtp; 550 5\.1\.1 /m);
    expect(raw).toMatch(/^Arrival-Date: \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r$/m);
    // The returned headers are the original's, the body is not returned.
    expect(report!.originalHeaders).toContain("Subject: Quarterly numbers");
    expect(raw).not.toContain("Hello Bob");
  });

  it("does not bounce an unauthenticated sender (no backscatter), and logs instead", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["gone@dest.example"], { senderAuthenticated: false });
    const { relay } = scriptedRelay(() => "permanent");
    const { result, ids } = await runJobs(jobs, e, { relayFor: async () => relay });
    expect(result.explicitAcks).toEqual(ids);
    const [row] = await rows(id);
    expect(row!.status).toBe("bounced");
    expect(row!.dsn).toBe("suppressed:unauthenticated");
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);
  });

  it("does not bounce Auto-Submitted mail even from an authenticated sender", async () => {
    const e = testEnv();
    const raw = ORIGINAL.replace("Subject:", "Auto-Submitted: auto-replied\r\nSubject:");
    const { id, jobs } = await enqueue(e, ["gone@dest.example"], { raw });
    const { relay } = scriptedRelay(() => "permanent");
    await runJobs(jobs, e, { relayFor: async () => relay });
    expect((await rows(id))[0]!.dsn).toBe("suppressed:auto-submitted");
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);
  });

  it("a missing body is retried, never dropped", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["a@dest.example"]);
    await env.MAIL.delete(jobs[0]!.r2Key);
    const { relay, calls } = scriptedRelay(() => "sent");
    const { result, ids, retries } = await runJobs(jobs, e, { relayFor: async () => relay, random: fixedRandom });
    expect(result.retryMessages).toEqual([{ msgId: ids[0] }]);
    expect(retries).toEqual([{ msgId: ids[0], delaySeconds: 60 }]);
    expect(calls).toHaveLength(0);
    const [row] = await rows(id);
    expect([row!.status, row!.last_reply]).toEqual(["deferred", "451 4.3.0 message body not found in storage"]);
  });

  it("a bad relay URL is one logged config error, and the row is a relay-error retried like deferred", async () => {
    const e = testEnv();
    const domain = `bad-${uid()}.test`;
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO domains (name, enabled, relay_url, created_at, updated_at) VALUES (?1, 1, 'gopher://nowhere', ?2, ?2)",
    )
      .bind(domain, now)
      .run();
    const spy = vi.spyOn(console, "error");
    const first = await enqueue(e, ["a@dest.example"], { domain });
    const second = await enqueue(e, ["b@dest.example"], { domain });
    const { result } = await runJobs([...first.jobs, ...second.jobs], e);
    expect(result.retryMessages).toHaveLength(2);
    expect(result.explicitAcks).toEqual([]);
    const [row] = await rows(first.id);
    expect(row!.status).toBe("relay-error");
    expect(String(row!.last_reply)).toMatch(/^451 4\.3\.5 relay configuration error: /);
    const configErrors = spy.mock.calls.filter((c) => String(c[0]).includes('"config-error"'));
    expect(configErrors).toHaveLength(1);
    spy.mockRestore();
  });

  it("sends per-recipient envelope senders and header blocks (list VERP), splitting to maxRecipients", async () => {
    const e = testEnv();
    const id = `list-${uid()}`;
    const r2Key = `mail/${id}.eml`;
    await storeDeliveryBody(e, r2Key, ORIGINAL);
    await enqueueDeliveryJobs(e, {
      origin: "list",
      messageLogId: id,
      r2Key,
      mailFrom: "dev-bounces@lists.facteur.test",
      recipients: [
        { rcpt: "m1@x.example", mailFrom: "dev-bounces+m1=x.example@lists.facteur.test", prepend: "List-Id: <m1>\r\n" },
        { rcpt: "m2@x.example", mailFrom: "dev-bounces+m2=x.example@lists.facteur.test", prepend: "List-Id: <m2>\r\n" },
        "m3@x.example",
        "m4@x.example",
        "m5@x.example",
      ],
      domain: "lists.facteur.test",
      senderAuthenticated: true,
    });
    const { relay, calls } = scriptedRelay((rcpt) => (rcpt === "m2@x.example" ? "permanent" : "sent"), 2);
    await runJobs(e.DELIVERY_QUEUE.jobs.splice(0), e, { relayFor: async () => relay });
    expect(calls.map((c) => [c.envelope.mailFrom, c.envelope.rcptTo])).toEqual([
      ["dev-bounces+m1=x.example@lists.facteur.test", ["m1@x.example"]],
      ["dev-bounces+m2=x.example@lists.facteur.test", ["m2@x.example"]],
      ["dev-bounces@lists.facteur.test", ["m3@x.example", "m4@x.example"]],
      ["dev-bounces@lists.facteur.test", ["m5@x.example"]],
    ]);
    expect(calls[0]!.raw).toBe(`List-Id: <m1>\r\n${ORIGINAL}`);
    expect(calls[2]!.raw).toBe(ORIGINAL);
    // The list's VERP address handles its own bounces: no DSN.
    expect((await rows(id)).find((r) => r.rcpt === "m2@x.example")!.dsn).toBe("suppressed:list-bounce-address");
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);
  });

  it("acks a malformed job with a logged error and keeps a job of an unknown version", async () => {
    const e = testEnv();
    const { result, ids, retries } = await runJobs(
      [{ nonsense: true } as unknown as DeliveryJob, { v: 2, r2Key: "x" } as unknown as DeliveryJob],
      e,
    );
    expect(result.explicitAcks).toEqual([ids[0]]);
    expect(retries).toEqual([{ msgId: ids[1], delaySeconds: 12 * 60 * 60 }]);
  });

  it("a relay that throws is a temporary failure, not a lost message", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["a@dest.example"]);
    const relay = {
      name: "broken",
      maxRecipients: 10,
      send: async () => {
        throw new Error("socket exploded");
      },
    };
    const { result } = await runJobs(jobs, e, { relayFor: async () => relay });
    expect(result.retryMessages).toHaveLength(1);
    expect((await rows(id))[0]!.last_reply).toBe("451 4.3.0 relay error: socket exploded");
  });
});

describe("dead-letter consumer, through queue()", () => {
  it("marks pending rows failed, keeps sent ones, and shows them in the deliveries log", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["sent@dest.example", "stuck@dest.example"], { senderAuthenticated: false });
    const { relay } = scriptedRelay((rcpt) => (rcpt.startsWith("sent") ? "sent" : "temporary"));
    await runJobs(jobs, e, { relayFor: async () => relay });
    const { result, ids } = await runJobs(jobs, e, {}, 101, QUEUES.deliveryDeadLetter);
    expect(result.explicitAcks).toEqual(ids);
    const stored = await rows(id);
    expect(stored.map((r) => [r.rcpt, r.status])).toEqual([
      ["sent@dest.example", "sent"],
      ["stuck@dest.example", "failed"],
    ]);
    expect(String(stored[1]!.last_reply)).toMatch(/dead-lettered after 101 .*\(last reply: 451 4\.3\.0 try later\)/);
    expect(stored[1]!.dsn).toBe("suppressed:unauthenticated");
    const page = await listDeliveries(env, { message: id, status: "failed", limit: 10 });
    expect(page.rows.map((d) => d.rcpt)).toEqual(["stuck@dest.example"]);
  });
});

describe("failures around the consumer", () => {
  it("retries the job when D1 fails before anything is recorded", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["a@dest.example"]);
    const { relay, calls } = scriptedRelay(() => "sent");
    const broken = { ...e, DB: failingBinding<D1Database>("D1") } as Env;
    const { result, ids } = await runJobs(jobs, broken, { relayFor: async () => relay });
    expect(result.retryMessages).toEqual([{ msgId: ids[0] }]);
    expect(result.explicitAcks).toEqual([]);
    expect(calls).toHaveLength(0);
    expect((await rows(id))[0]!.status).toBe("queued");
  });
});

describe("DSN for SRS-rewritten alias mail", () => {
  it("goes straight to the original sender, not back through our own SRS address", async () => {
    const e = testEnv();
    const srs = await srsForward("carol@example.net", "facteur.test", env.SRS_SECRET);
    const { jobs } = await enqueue(e, ["gone@dest.example"], { mailFrom: srs });
    const { relay } = scriptedRelay(() => "permanent");
    await runJobs(jobs, e, { relayFor: async () => relay });
    const [dsnJob] = e.DELIVERY_QUEUE.jobs;
    expect(dsnJob!.recipients.map((r) => r.rcpt)).toEqual(["carol@example.net"]);
    const raw = await (await env.MAIL.get(dsnJob!.r2Key))!.text();
    expect(raw).toMatch(/^To: <carol@example\.net>\r$/m);
  });
});

describe("next_attempt_at", () => {
  it("matches the delay given to Queues, jitter included", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e, ["t@dest.example"]);
    const { relay } = scriptedRelay(() => "temporary");
    let calls = 0;
    const random = () => [0.1, 0.9][calls++ % 2]!;
    const now = Date.now();
    const { retries } = await runJobs(jobs, e, { relayFor: async () => relay, random, now: () => now });
    const [row] = await rows(id);
    expect(Number(row!.next_attempt_at)).toBe(now + retries[0]!.delaySeconds! * 1000);
  });
});
