import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_JOB_BYTES } from "../../src/core/jobs";
import { deliveryBodyKey, enqueueDelivery, enqueueDeliveryJobs, storeDeliveryBody } from "../../src/deliver/enqueue";
import { failingBinding, ORIGINAL, rows, testEnv, uid } from "./helpers";

const base = {
  origin: "alias" as const,
  raw: ORIGINAL,
  mailFrom: "SRS0=abcd=XY=example.org=alice@facteur.test",
  domain: "facteur.test",
  senderAuthenticated: true,
};

describe("enqueueDelivery", () => {
  it("writes the body to R2 once, one row per recipient, and versioned jobs", async () => {
    const e = testEnv();
    const id = `m-${uid()}`;
    const { r2Key, deliveryIds } = await enqueueDelivery(e, {
      ...base,
      messageLogId: id,
      recipients: ["one@dest.example", "two@dest.example", "ONE@dest.example"],
    });
    expect(r2Key).toBe(deliveryBodyKey(id));
    expect(await (await env.MAIL.get(r2Key))!.text()).toBe(ORIGINAL);
    // The duplicate differing only by case is dropped: one person, one copy.
    expect(deliveryIds).toHaveLength(2);
    const stored = await rows(id);
    expect(stored.map((r) => [r.rcpt, r.status, r.attempts, r.origin, r.r2_key])).toEqual([
      ["one@dest.example", "queued", 0, "alias", r2Key],
      ["two@dest.example", "queued", 0, "alias", r2Key],
    ]);
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(1);
    const job = e.DELIVERY_QUEUE.jobs[0]!;
    expect(job).toMatchObject({
      v: 1,
      r2Key,
      mailFrom: base.mailFrom,
      attempt: 0,
      origin: "alias",
      messageLogId: id,
      domain: "facteur.test",
      senderAuthenticated: true,
      autoSubmitted: false,
    });
    expect(job.recipients.map((r) => r.id)).toEqual(deliveryIds);
  });

  it("is idempotent: a retried email() overwrites the object and reuses the rows", async () => {
    const e = testEnv();
    const id = `m-${uid()}`;
    const first = await enqueueDelivery(e, { ...base, messageLogId: id, recipients: ["a@dest.example"] });
    // The first attempt got as far as sending: the row is final now.
    await env.DB.prepare("UPDATE deliveries SET status = 'sent' WHERE id = ?1").bind(first.deliveryIds[0]).run();
    const second = await enqueueDelivery(e, {
      ...base,
      messageLogId: id,
      recipients: ["a@dest.example", "b@dest.example"],
    });
    expect(second.r2Key).toBe(first.r2Key);
    expect(second.deliveryIds[0]).toBe(first.deliveryIds[0]);
    expect(await rows(id)).toHaveLength(2);
    // No new job for the recipient already sent.
    expect(e.DELIVERY_QUEUE.jobs.at(-1)!.recipients.map((r) => r.rcpt)).toEqual(["b@dest.example"]);
    const listed = await env.MAIL.list({ prefix: `mail/${id}` });
    expect(listed.objects).toHaveLength(1);
  });

  it("throws when R2 fails, and writes no row", async () => {
    const e = testEnv({ MAIL: failingBinding<R2Bucket>("R2") });
    const id = `m-${uid()}`;
    await expect(enqueueDelivery(e, { ...base, messageLogId: id, recipients: ["a@dest.example"] })).rejects.toThrow(
      /R2 unavailable/,
    );
    expect(await rows(id)).toHaveLength(0);
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);
  });

  it("throws when the queue fails", async () => {
    const e = testEnv({ DELIVERY_QUEUE: failingBinding<Queue>("Queue") } as Partial<Env>);
    const id = `m-${uid()}`;
    await expect(enqueueDelivery(e, { ...base, messageLogId: id, recipients: ["a@dest.example"] })).rejects.toThrow(
      /Queue unavailable/,
    );
  });

  it("throws when D1 fails", async () => {
    const e = testEnv({ DB: failingBinding<D1Database>("D1") });
    await expect(
      enqueueDelivery(e, { ...base, messageLogId: `m-${uid()}`, recipients: ["a@dest.example"] }),
    ).rejects.toThrow(/D1 unavailable/);
  });

  it("sends through the real queue binding", async () => {
    const id = `m-${uid()}`;
    const { deliveryIds } = await enqueueDelivery(env, {
      ...base,
      messageLogId: id,
      recipients: ["real@dest.example"],
    });
    expect(deliveryIds).toHaveLength(1);
  });

  it("refuses a call without recipients; a bad address fails alone, as a failed row with no job", async () => {
    const e = testEnv();
    await expect(enqueueDelivery(e, { ...base, messageLogId: "x", recipients: [] })).rejects.toThrow(/at least one/);
    const id = `m-${uid()}`;
    await enqueueDelivery(e, { ...base, messageLogId: id, recipients: ["not an address", "fine@dest.example"] });
    expect(e.DELIVERY_QUEUE.jobs.flatMap((j) => j.recipients.map((r) => r.rcpt))).toEqual(["fine@dest.example"]);
    const bad = (await rows(id)).find((r) => r.rcpt === "not an address");
    expect([bad?.status, bad?.last_reply]).toEqual(["failed", "553 5.1.3 not a valid recipient address"]);
  });
});

describe("enqueueDeliveryJobs (list fan-out)", () => {
  it("fans 2,000 members out in jobs of 50, sendBatch calls of at most 100, with per-member envelope and headers", async () => {
    const e = testEnv();
    const id = `list-${uid()}`;
    const r2Key = `mail/${id}.eml`;
    await storeDeliveryBody(e, r2Key, ORIGINAL);
    const members = Array.from({ length: 2000 }, (_, i) => ({
      rcpt: `member${i}@members.example`,
      mailFrom: `dev-bounces+member${i}=members.example@lists.facteur.test`,
      prepend: `List-Unsubscribe: <https://lists.facteur.test/u/${i}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n`,
    }));
    const { deliveryIds } = await enqueueDeliveryJobs(e, {
      origin: "list",
      messageLogId: id,
      r2Key,
      mailFrom: "dev-bounces@lists.facteur.test",
      recipients: members,
      domain: "lists.facteur.test",
      senderAuthenticated: true,
    });
    expect(deliveryIds).toHaveLength(2000);
    expect(new Set(deliveryIds).size).toBe(2000);
    const jobs = e.DELIVERY_QUEUE.jobs;
    expect(jobs).toHaveLength(40);
    // 40 jobs of ~12 KB: more than one 256 KB sendBatch (the recording queue enforces both limits).
    const total = jobs.reduce((sum, j) => sum + JSON.stringify(j).length, 0);
    expect(e.DELIVERY_QUEUE.sendBatchCalls).toBeGreaterThanOrEqual(Math.ceil(total / (250 * 1024)));
    expect(e.DELIVERY_QUEUE.sendBatchCalls).toBeLessThanOrEqual(Math.ceil(total / (250 * 1024)) + 1);
    expect(jobs.every((j) => j.recipients.length === 50 && j.r2Key === r2Key)).toBe(true);
    expect(jobs[3]!.recipients[7]).toEqual({
      id: deliveryIds[157],
      rcpt: "member157@members.example",
      mailFrom: "dev-bounces+member157=members.example@lists.facteur.test",
      prepend: members[157]!.prepend,
    });
    const count = await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE message_log_id = ?1")
      .bind(id)
      .first<{ n: number }>();
    expect(count!.n).toBe(2000);
  });

  it("splits jobs by size when header blocks are large", async () => {
    const e = testEnv();
    const id = `list-${uid()}`;
    const big = `X-Filler: ${"a".repeat(10_000)}\r\n`;
    await enqueueDeliveryJobs(e, {
      origin: "list",
      messageLogId: id,
      r2Key: `mail/${id}.eml`,
      mailFrom: "l-bounces@facteur.test",
      recipients: Array.from({ length: 30 }, (_, i) => ({ rcpt: `m${i}@x.example`, prepend: big })),
      domain: "facteur.test",
      senderAuthenticated: true,
    });
    const jobs = e.DELIVERY_QUEUE.jobs;
    expect(jobs.length).toBeGreaterThan(2);
    for (const job of jobs) expect(JSON.stringify(job).length).toBeLessThanOrEqual(MAX_JOB_BYTES);
    expect(jobs.flatMap((j) => j.recipients).length).toBe(30);
  });

  it("refuses a prepend that is not header fields", async () => {
    const e = testEnv();
    await expect(
      enqueueDeliveryJobs(e, {
        origin: "list",
        messageLogId: "x",
        r2Key: "mail/x.eml",
        mailFrom: "",
        recipients: [{ rcpt: "a@x.example", prepend: "no colon here\r\n" }],
        domain: "facteur.test",
        senderAuthenticated: true,
      }),
    ).rejects.toThrow(/header fields/);
  });
});
