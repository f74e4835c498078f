/**
 * POST /api/v1/send with a raw message (message/rfc822): the bytes whose From is checked are the
 * bytes signed and sent. A bare CR hides a From from the LF-only parser that the relay's
 * line-ending repair then puts on the wire; and "Bcc :" (space before the colon) is a Bcc.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { listOutbox } from "../../src/store/outbox";
import { call, createDomainFixture, jsonOf, ok } from "../api/helpers";
import { runJobs, testEnv } from "../deliver/helpers";

const MALLORY = `Basic ${btoa("mallory:mallory password 1")}`;

async function submit(raw: string) {
  const e = testEnv();
  const res = await call("POST", "/api/v1/send", {
    token: null,
    headers: { authorization: MALLORY },
    rawBody: raw,
    contentType: "message/rfc822",
    env: e,
  });
  return { res, e };
}

beforeAll(async () => {
  await createDomainFixture("mine.test");
  await ok(await call("POST", "/api/v1/domains/mine.test/dkim", { body: { selector: "s1" } }), 201);
  await ok(
    await call("POST", "/api/v1/users", {
      body: { name: "mallory", password: "mallory password 1", mailboxes: ["mallory@gmail.test"] },
    }),
    201,
  );
  await ok(await call("POST", "/api/v1/aliases", { body: { address: "me@mine.test", owner: "mallory" } }), 201);
});

describe("raw submission and bare CR", () => {
  it("refuses a raw message whose bare CR hides a second From from the ownership check (send-as spoofing)", async () => {
    // The parser reads one field "X-A" and then "From: me@mine.test"; the relay turns each bare CR
    // into CRLF, so on the wire the header section is "X-A: x", "From: ceo@victim.test", then a
    // blank line: the From that was checked ends up in the body.
    const attacks = [
      "X-A: x\rFrom: ceo@victim.test\r\r\nFrom: me@mine.test\r\nTo: target@example.org\r\nSubject: pay\r\n\r\nWire it.\r\n",
      "X-A: x\rFrom: ceo@victim.test\r\nTo: target@example.org\r\nSubject: s\r From: me@mine.test\r\nFrom: me@mine.test\r\n\r\nx\r\n",
    ];
    for (const raw of attacks) {
      const { res, e } = await submit(raw);
      expect(res.status, JSON.stringify(raw)).toBe(422);
      expect((await jsonOf(res)).detail).toMatch(/bare CR/);
      expect(e.DELIVERY_QUEUE.jobs).toEqual([]);
    }
  });

  it("still sends a clean raw message from an owned address", async () => {
    const { res } = await submit("From: me@mine.test\r\nTo: target@example.org\r\nSubject: ok\r\n\r\nfine\r\n");
    expect(res.status).toBe(202);
  });
});

describe("raw submission and Bcc", () => {
  it('strips "Bcc : x" (space before the colon) from the sent message, as it strips "Bcc:"', async () => {
    const raw = [
      "From: me@mine.test",
      "To: visible@example.org",
      "Bcc : hidden-one@example.com",
      "BCC\t:hidden-two@example.com,",
      " hidden-three@example.com",
      "Subject: blind",
      "",
      "blind body",
      "",
    ].join("\r\n");
    const { res, e } = await submit(raw);
    expect(res.status).toBe(202);
    const result = await jsonOf(res);
    // Still envelope recipients: blind, not dropped.
    expect(result.deliveries.map((d: { rcpt: string }) => d.rcpt).sort()).toEqual([
      "hidden-one@example.com",
      "hidden-three@example.com",
      "hidden-two@example.com",
      "visible@example.org",
    ]);
    await runJobs(e.DELIVERY_QUEUE.jobs, e);
    const { rows } = await listOutbox(env, { limit: 50 });
    const sent = rows.find((r) => r.raw?.includes(result.message_id))?.raw ?? "";
    expect(sent).toContain("blind body");
    expect(sent).not.toMatch(/hidden-/);
    expect(sent).not.toMatch(/^bcc/im);
  });
});
