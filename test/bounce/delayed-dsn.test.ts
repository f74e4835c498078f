/**
 * Delayed delivery warnings through queue(): a recipient still deferred DELAY_WARNING_HOURS after
 * the message was queued gets its authenticated sender one RFC 3464 DSN with Action: delayed,
 * once per message; never for list copies, never to an unauthenticated sender.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseDsn } from "../../src/bounce/dsn-parse";
import type { DeliveryJob } from "../../src/core/jobs";
import { enqueueDelivery, enqueueDeliveryJobs, storeDeliveryBody } from "../../src/deliver/enqueue";
import { ORIGINAL, runJobs, scriptedRelay, testEnv, uid } from "../deliver/helpers";

const HOUR = 3_600_000;

async function enqueue(e: ReturnType<typeof testEnv>, options: { senderAuthenticated?: boolean } = {}) {
  const id = `m-${uid()}`;
  await enqueueDelivery(e, {
    origin: "alias",
    messageLogId: id,
    raw: ORIGINAL,
    mailFrom: "alice@example.org",
    recipients: ["slow@dest.example", "other@dest.example"],
    domain: "facteur.test",
    senderAuthenticated: options.senderAuthenticated ?? true,
  });
  return { id, jobs: e.DELIVERY_QUEUE.jobs.splice(0) };
}

/** Runs `jobs` as if first queued `age` ago, with every recipient deferred. */
async function deferredRun(e: ReturnType<typeof testEnv>, jobs: DeliveryJob[], age: number, attempt = 2) {
  const { relay } = scriptedRelay(() => "temporary");
  const aged = jobs.map((j) => ({ ...j, queuedAt: Date.now() - age }));
  const { result } = await runJobs(aged, e, { relayFor: async () => relay, random: () => 0.5 }, attempt);
  expect(result.retryMessages).toHaveLength(aged.length);
  return e.DELIVERY_QUEUE.jobs.splice(0).filter((j) => j.origin === "dsn");
}

describe("delayed delivery warnings", () => {
  it("after 4 hours of deferral the authenticated sender gets one Action: delayed DSN, and only once", async () => {
    const e = testEnv();
    const { id, jobs } = await enqueue(e);
    expect(await deferredRun(e, jobs, 1 * HOUR)).toHaveLength(0); // not late yet
    const [warning, ...more] = await deferredRun(e, jobs, 4 * HOUR + 60_000, 3);
    expect(more).toHaveLength(0);
    expect(warning).toMatchObject({ origin: "dsn", mailFrom: "", messageLogId: id, autoSubmitted: true });
    expect(warning!.recipients.map((r) => r.rcpt)).toEqual(["alice@example.org"]);
    const raw = await (await env.MAIL.get(warning!.r2Key))!.text();
    expect(raw).toContain("Subject: Delayed Mail (still being retried)");
    expect(raw).toMatch(/^Content-Type: multipart\/report; report-type=delivery-status/m);
    expect(raw).toMatch(/^Will-Retry-Until: /m);
    const report = await parseDsn(raw);
    expect(report!.recipients.map((r) => [r.finalRecipient, r.action, r.status]).sort()).toEqual([
      ["other@dest.example", "delayed", "4.3.0"],
      ["slow@dest.example", "delayed", "4.3.0"],
    ]);
    // The message is still retried, and later deferrals (or a redelivered job) warn no more.
    expect(await deferredRun(e, jobs, 8 * HOUR, 4)).toHaveLength(0);
    expect(await deferredRun(e, jobs, 8 * HOUR, 4)).toHaveLength(0);
  });

  it("DELAY_WARNING_HOURS sets the time", async () => {
    const e = testEnv({ DELAY_WARNING_HOURS: "1" });
    const { jobs } = await enqueue(e);
    expect(await deferredRun(e, jobs, 30 * 60_000)).toHaveLength(0);
    expect(await deferredRun(e, jobs, 1 * HOUR + 60_000, 3)).toHaveLength(1);
  });

  it("no warning to a sender that did not authenticate (no backscatter)", async () => {
    const e = testEnv();
    const { jobs } = await enqueue(e, { senderAuthenticated: false });
    expect(await deferredRun(e, jobs, 5 * HOUR)).toHaveLength(0);
  });

  it("no warning for list copies, even with an authenticated author", async () => {
    const e = testEnv();
    const id = `post-${uid()}`;
    const r2Key = `list/${id}.eml`;
    await storeDeliveryBody(e, r2Key, ORIGINAL);
    await enqueueDeliveryJobs(e, {
      origin: "list",
      messageLogId: id,
      r2Key,
      // The author's address as envelope sender: only origin "list" keeps it from being warned.
      mailFrom: "alice@example.org",
      recipients: ["member@dest.example"],
      domain: "facteur.test",
      senderAuthenticated: true,
    });
    expect(await deferredRun(e, e.DELIVERY_QUEUE.jobs.splice(0), 5 * HOUR)).toHaveLength(0);
  });
});
