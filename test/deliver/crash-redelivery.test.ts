/**
 * A job cut short mid-session (the invocation dies: here, a send that never returns, so the job
 * never reaches its final record) and delivered again by Queues: no recipient whose 250 was
 * recorded gets a second copy. Real SMTP sink (test/servers/smtp-sink.mjs) through the pool.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deliverJob } from "../../src/deliver/deliver-job";
import { enqueueDeliveryJobs, storeDeliveryBody } from "../../src/deliver/enqueue";
import type { Relay } from "../../src/deliver/relay";
import { createSmtpRelay } from "../../src/deliver/relays/smtp";
import { SENT_FLUSH } from "../../src/deliver/sent-recorder";
import { address, received, sink, TEST_TIMEOUTS } from "../relays/sink";
import { ORIGINAL, rows, runJobs, testEnv, uid } from "./helpers";

const MEMBERS = 12;
const CRASH_AT = 9;

describe("redelivery after a crash mid-session", () => {
  it("sends nothing twice to a recipient whose 250 was recorded", async () => {
    const e = testEnv();
    const id = `m-${uid()}`;
    await storeDeliveryBody(e, `test/${id}`, ORIGINAL.replace("<original-1@example.org>", `<${id}@example.org>`));
    const rcpts = Array.from({ length: MEMBERS }, () => address("ok", "members.test"));
    await enqueueDeliveryJobs(e, {
      origin: "list",
      messageLogId: id,
      r2Key: `test/${id}`,
      mailFrom: "list-bounces@facteur.test",
      recipients: rcpts.map((rcpt, i) => ({ rcpt, mailFrom: `list-bounces+${i}@facteur.test` })),
      domain: "facteur.test",
      senderAuthenticated: true,
    });
    const [job] = e.DELIVERY_QUEUE.jobs.splice(0);
    const smtp = createSmtpRelay(
      { kind: "smtp", host: "127.0.0.1", port: sink.plainPort, security: "none", heloName: "relay.facteur.test" },
      { timeouts: TEST_TIMEOUTS },
    );

    // First run: the relay works for CRASH_AT - 1 transactions, then the invocation "dies".
    const scoped = smtp.openScope();
    let sends = 0;
    const dying: Relay = {
      name: "smtp",
      maxRecipients: 1,
      acceptsPrefix: true,
      send: (envelope, raw, prefix) =>
        ++sends >= CRASH_AT ? new Promise(() => {}) : scoped.send(envelope, raw, prefix),
    };
    const run = deliverJob(e, job!, { attempts: 1, retryDelaySeconds: 60 }, { relayFor: async () => dying });
    const settled = await Promise.race([run.then(() => "finished"), new Promise((r) => setTimeout(r, 1500, "cut"))]);
    expect(settled).toBe("cut");
    await scoped.close();

    const afterCrash = new Map((await rows(id)).map((r) => [String(r.rcpt), String(r.status)]));
    const recorded = rcpts.filter((r) => afterCrash.get(r) === "sent");
    expect(recorded.length).toBeGreaterThanOrEqual(SENT_FLUSH.count);
    for (const r of recorded) expect(await received(r)).toHaveLength(1);

    // Queues delivers the job again (attempt 2), through the Worker's queue().
    const again = await runJobs([job!], env, { relayFor: async () => smtp }, 2);
    expect(again.result.explicitAcks).toEqual(again.ids);
    expect((await rows(id)).map((r) => r.status)).toEqual(rcpts.map(() => "sent"));
    for (const r of rcpts) {
      const copies = (await received(r)).length;
      if (recorded.includes(r)) expect(copies, `${r} was recorded as sent before the crash`).toBe(1);
      else expect(copies).toBeGreaterThanOrEqual(1);
    }
  });
});
