/**
 * End to end through the real SMTP sink (test/servers/smtp-sink.mjs): enqueue, the consumer with
 * the relay chosen from the domain's relay_url in D1, retries, DSN, no duplicates.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { parseDsn } from "../../src/bounce/dsn-parse";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { address, attempts, received, sink } from "../relays/sink";
import { ORIGINAL, rows, runJobs, testEnv, uid } from "./helpers";

/** A domain of ours whose relay_url points at the sink's plain listener, with AUTH. */
async function sinkDomain(): Promise<string> {
  const domain = `sink-${uid()}.test`;
  const url = `smtp://${sink.user}:${sink.password}@127.0.0.1:${sink.plainPort}`;
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO domains (name, enabled, relay_url, created_at, updated_at) VALUES (?1, 1, ?2, ?3, ?3)",
  )
    .bind(domain, url, now)
    .run();
  return domain;
}

async function enqueue(e: ReturnType<typeof testEnv>, domain: string, recipients: string[], mailFrom: string) {
  const id = `m-${uid()}`;
  await enqueueDelivery(e, {
    origin: "alias",
    messageLogId: id,
    raw: ORIGINAL.replace("<original-1@example.org>", `<${id}@example.org>`),
    mailFrom,
    recipients,
    domain,
    senderAuthenticated: true,
  });
  return { id, jobs: e.DELIVERY_QUEUE.jobs.splice(0) };
}

const noJitter = { random: () => 0.5 };

describe("delivery through the SMTP relay", () => {
  it("421 then success on retry", async () => {
    const e = testEnv();
    const domain = await sinkDomain();
    const flaky = address("flaky");
    const { id, jobs } = await enqueue(e, domain, [flaky], address("sender", "example.org"));
    const first = await runJobs(jobs, e, noJitter, 1);
    expect(first.retries).toEqual([{ msgId: first.ids[0], delaySeconds: 60 }]);
    let [row] = await rows(id);
    expect(row!.status).toBe("deferred");
    expect(String(row!.last_reply)).toMatch(/^421 4\.4\.5/);
    const second = await runJobs(jobs, e, noJitter, 2);
    expect(second.result.explicitAcks).toEqual(second.ids);
    [row] = await rows(id);
    expect([row!.status, row!.attempts]).toEqual(["sent", 2]);
    expect(await received(flaky)).toHaveLength(1);
    expect((await received(flaky))[0]!.authUser).toBe(sink.user);
  });

  it("a partial accept: sent once, 451 retried, 550 answered by a DSN with the null sender", async () => {
    const e = testEnv();
    const domain = await sinkDomain();
    const ok = address("ok");
    const later = address("temp451");
    const gone = address("reject550");
    const sender = address("sender", "example.org");
    const { id, jobs } = await enqueue(e, domain, [ok, later, gone], sender);

    const first = await runJobs(jobs, e, noJitter, 1);
    expect(first.retries).toEqual([{ msgId: first.ids[0], delaySeconds: 60 }]);
    let stored = new Map((await rows(id)).map((r) => [r.rcpt, r]));
    expect(stored.get(ok)!.status).toBe("sent");
    expect(stored.get(later)!.status).toBe("deferred");
    expect(String(stored.get(later)!.last_reply)).toMatch(/^451 4\.3\.0/);
    expect(stored.get(gone)!.status).toBe("bounced");
    expect(String(stored.get(gone)!.last_reply)).toMatch(/^550 5\.1\.1/);
    expect((await received(ok)).map((m) => m.rcptTo)).toEqual([[ok]]);

    await runJobs(jobs, e, noJitter, 2);
    stored = new Map((await rows(id)).map((r) => [r.rcpt, r]));
    expect(stored.get(later)!.attempts).toBe(2);
    // The retry went to the pending recipient only: the accepted one got one RCPT, one copy.
    expect(await received(ok)).toHaveLength(1);
    expect((await attempts(ok)).rcpt).toBe(1);
    expect((await attempts(gone)).rcpt).toBe(1);

    // The DSN for the 550 goes out through the same relay with the null reverse-path.
    const dsnJobs = e.DELIVERY_QUEUE.jobs.splice(0);
    expect(dsnJobs).toHaveLength(1);
    await runJobs(dsnJobs, e, noJitter, 1);
    const [dsn] = await received(sender);
    expect(dsn!.mailFrom).toBe("");
    expect(dsn!.rcptTo).toEqual([sender]);
    const report = await parseDsn(dsn!.raw);
    expect(report!.recipients).toEqual([
      expect.objectContaining({ finalRecipient: gone, action: "failed", status: "5.1.1" }),
    ]);
    expect(report!.recipients[0]!.diagnosticCode).toMatch(/^550 5\.1\.1/);
    expect(report!.originalMessageId).toBe(`<${id}@example.org>`);
  });

  it("451 every time stays deferred, with growing delays", async () => {
    const e = testEnv();
    const domain = await sinkDomain();
    const later = address("temp451");
    const { id, jobs } = await enqueue(e, domain, [later], address("sender", "example.org"));
    const delays: (number | undefined)[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const run = await runJobs(jobs, e, noJitter, attempt);
      delays.push(run.retries[0]?.delaySeconds);
    }
    expect(delays).toEqual([60, 300, 900]);
    const [row] = await rows(id);
    expect([row!.status, row!.attempts]).toEqual(["deferred", 3]);
    expect(String(row!.last_reply)).toMatch(/^451 4\.3\.0/);
    expect(await received(later)).toHaveLength(0);
  });

  it("a connection dropped mid-DATA is retried and delivered exactly once", async () => {
    const e = testEnv();
    const domain = await sinkDomain();
    const dropped = address("dropdata");
    const { id, jobs } = await enqueue(e, domain, [dropped], address("sender", "example.org"));

    const first = await runJobs(jobs, e, noJitter, 1);
    expect(first.retries).toHaveLength(1);
    let [row] = await rows(id);
    expect(row!.status).toBe("deferred");
    expect(await received(dropped)).toHaveLength(0);
    expect((await attempts(dropped)).dropped).toBe(1);

    const second = await runJobs(jobs, e, noJitter, 2);
    expect(second.result.explicitAcks).toEqual(second.ids);
    [row] = await rows(id);
    expect(row!.status).toBe("sent");
    const copies = await received(dropped);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.raw).toContain("Subject: Quarterly numbers");

    // Queues redelivers the finished job: still one copy.
    await runJobs(jobs, e, noJitter, 3);
    expect(await received(dropped)).toHaveLength(1);
  });
});

describe("delivery through the Mailgun relay", () => {
  it("sends the stored bytes unchanged, chosen from the domain's mailgun:// relay_url", async () => {
    const mock = inject("mailgunMock");
    const e = testEnv();
    const domain = `mg-${uid()}.test`;
    const url = `mailgun://${mock.apiKey}@${mock.domain}?base=${encodeURIComponent(mock.baseUrl)}`;
    await env.DB.prepare(
      "INSERT INTO domains (name, enabled, relay_url, created_at, updated_at) VALUES (?1, 1, ?2, 0, 0)",
    )
      .bind(domain, url)
      .run();
    const to = address("ok");
    const { id, jobs } = await enqueue(e, domain, [to], address("sender", "example.org"));
    const { result, ids } = await runJobs(jobs, e, noJitter, 1);
    expect(result.explicitAcks).toEqual(ids);
    const [row] = await rows(id);
    expect([row!.status, row!.relay]).toEqual(["sent", "mailgun"]);
    const response = await fetch(`${mock.baseUrl}/_control/messages?to=${encodeURIComponent(to)}`);
    const { messages } = (await response.json()) as { messages: { raw: string; to: string[] }[] };
    expect(messages).toHaveLength(1);
    expect(messages[0]!.raw).toBe(ORIGINAL.replace("<original-1@example.org>", `<${id}@example.org>`));
  });
});
