/**
 * A 1,000-member list: one post through email() becomes two fan-out pages (500 members each),
 * then 20 delivery jobs of 50, every member with its own VERP sender, unsubscribe URL and DKIM
 * signature; all 1,000 copies go through the relay to the real SMTP sink.
 * (The 10,000-member run is in the bench: src/lists/bench.ts, plain workerd.)
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authenticate } from "../../src/authenticate";
import { MAX_RECIPIENTS_PER_JOB } from "../../src/core/jobs";
import { createWorker } from "../../src/index";
import { FANOUT_PAGE_SIZE } from "../../src/lists/fanout";
import { emailMessage, mail } from "../helpers/email";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { received, sink } from "../relays/sink";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, deliverAll, listDomain, listEnv, runFanout, uid } from "./helpers";

const author = testKey("author1000.test");
const zone: Zone = { "_dmarc.author1000.test": { TXT: ["v=DMARC1; p=quarantine"] } };
publish(zone, author);
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });

describe("1,000-member fan-out", () => {
  it("pages, signs and delivers one copy per member", { timeout: 180_000 }, async () => {
    const domain = await listDomain(zone);
    const team = `big-${uid()}@${domain}`;
    const run = uid();
    const members = Array.from({ length: 1000 }, (_, i) => `m${String(i).padStart(4, "0")}-${run}@members.test`);
    await createList({ address: team, name: "Big", subjectPrefix: "[big]" }, [
      { address: "writer@author1000.test", receiveOwn: true },
      ...members.map((address) => ({ address })),
      { address: `gone-${run}@members.test`, status: "disabled" },
      { address: `blocked-${run}@members.test` },
    ]);
    await env.DB.prepare(
      "INSERT INTO suppressions (address, reason, source, created_at) VALUES (?, 'test', 'manual', ?)",
    )
      .bind(`blocked-${run}@members.test`, Date.now())
      .run();
    const e = listEnv();
    const raw = await dkimSigned(
      mail({ From: "Writer <writer@author1000.test>", To: team, Subject: "To everyone" }, "Hi all.\r\n"),
      author,
    );
    const captured = emailMessage(raw, { from: "writer@author1000.test", to: team });
    await worker.email(captured.message, e, {} as ExecutionContext);
    expect(captured.rejected).toBeUndefined();

    const { pages, deliveryJobs } = await runFanout(e);
    // 1,002 active members (incl. the suppressed one, which is skipped inside its page) → 3 pages of ≤ 500.
    expect(pages).toBe(Math.ceil(1002 / FANOUT_PAGE_SIZE));
    const rcpts = deliveryJobs.flatMap((j) => j.recipients.map((r) => r.rcpt));
    // Every member once, the author too (receive_own), not the disabled or the suppressed one.
    expect(rcpts).toHaveLength(1001);
    expect(new Set(rcpts).size).toBe(1001);
    expect(rcpts).toContain("writer@author1000.test");
    expect(rcpts).not.toContain(`gone-${run}@members.test`);
    expect(rcpts).not.toContain(`blocked-${run}@members.test`);
    expect(Math.max(...deliveryJobs.map((j) => j.recipients.length))).toBeLessThanOrEqual(MAX_RECIPIENTS_PER_JOB);
    const verps = new Set(deliveryJobs.flatMap((j) => j.recipients.map((r) => r.mailFrom)));
    expect(verps.size).toBe(1001);
    // One body in R2 for all of them.
    expect(new Set(deliveryJobs.map((j) => j.r2Key)).size).toBe(1);

    // A sample of copies, assembled as the consumer writes them, verifies at the "receiver".
    const body = new Uint8Array(await (await env.MAIL.get(deliveryJobs[0]!.r2Key))!.arrayBuffer());
    for (const recipient of [deliveryJobs[0]!.recipients[0]!, deliveryJobs.at(-1)!.recipients.at(-1)!]) {
      const copy = new Uint8Array(Buffer.concat([Buffer.from(recipient.prepend!, "binary"), Buffer.from(body)]));
      const auth = await authenticate(copy, {
        resolver: createZoneResolver(zone),
        authservId: "mx.member.test",
        mailFrom: recipient.mailFrom!,
        topReceived: undefined,
        trustedReceivers: null,
      });
      expect(auth.dkim.signatures.find((s) => s.domain === domain)?.result).toBe("pass");
      expect(auth.arc.result).toBe("pass");
      expect(auth.dmarc.result).toBe("pass");
    }

    await deliverAll(e, deliveryJobs);
    const all = await fetch(`${sink.controlUrl}/messages`).then(
      (r) => r.json() as Promise<{ messages: { rcptTo: string[] }[] }>,
    );
    const delivered = all.messages.flatMap((m) => m.rcptTo).filter((r) => r.endsWith(`-${run}@members.test`));
    expect(delivered).toHaveLength(1000);
    expect(new Set(delivered).size).toBe(1000);
    expect((await received(members[0]!))[0]!.raw).toContain("Subject: [big] To everyone");
  });
});
