/**
 * Auto-replies (RFC 3834) through email(): when one is sent (reply() for a DMARC pass, the relay
 * otherwise), what it carries, the once-per-interval memory in D1, and every "never".
 */
import { env } from "cloudflare:test";
import PostalMime from "postal-mime";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { srsForward } from "../../src/mail/srs";
import { insertAlias } from "../../src/store/aliases";
import { upsertAutoReply } from "../../src/store/auto-replies";
import { upsertDestination } from "../../src/store/destinations";
import { insertDomain } from "../../src/store/domains";
import { emailMessage, mail } from "../helpers/email";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const signer = testKey("friend.test");
const zone: Zone = publish(
  {
    "_dmarc.friend.test": { TXT: ["v=DMARC1; p=none"] },
    "_dmarc.stranger.test": { TXT: ["v=DMARC1; p=none"] },
  },
  signer,
);
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
const DAY = 86_400_000;

let n = 0;
/** A message from bob@friend.test, DKIM-signed by friend.test (DMARC pass), with extra fields. */
async function signed(fields: Record<string, string> = {}, local = `bob${++n}`) {
  const raw = mail({
    From: `Bob <${local}@friend.test>`,
    To: "away@vac.test",
    Subject: "Lunch?",
    "Message-ID": `<m${n}@friend.test>`,
    References: "<earlier@friend.test>",
    ...fields,
  });
  return { raw: await dkimSigned(raw, signer), sender: `${local}@friend.test`, messageId: `<m${n}@friend.test>` };
}

async function receive(raw: string, from: string, options: { refuseReply?: boolean } = {}) {
  const captured = emailMessage(raw, { from, to: "away@vac.test" }, options);
  await worker.email(captured.message, env, {} as ExecutionContext);
  expect(captured.rejected).toBeUndefined();
  expect(captured.forwards.map((f) => f.to)).toEqual(["owner@gmail.com"]);
  return captured;
}

async function storedReply(inboundFrom: string) {
  const row = await env.DB.prepare("SELECT id FROM messages WHERE mail_from = ?1 ORDER BY id DESC LIMIT 1")
    .bind(inboundFrom)
    .first<{ id: string }>();
  const object = await env.MAIL.get(`autoreply/${row?.id}.eml`);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

async function relayedTo(rcpt: string) {
  const { results } = await env.DB.prepare("SELECT mail_from, origin FROM deliveries WHERE rcpt = ?1")
    .bind(rcpt)
    .all<{ mail_from: string; origin: string }>();
  return results;
}

beforeAll(async () => {
  await env.DB.batch([
    insertDomain(env.DB, { name: "vac.test" }),
    upsertDestination(env.DB, "owner@gmail.com", true),
    insertAlias(env.DB, { address: "away@vac.test", domain: "vac.test", destinations: ["owner@gmail.com"] }),
    upsertAutoReply(env.DB, {
      alias: "away@vac.test",
      domain: "vac.test",
      enabled: true,
      subject: "Out of office",
      body: "Back on Monday.",
      startsAt: null,
      endsAt: null,
      intervalDays: 7,
    }),
  ]);
});

describe("auto-replies", () => {
  it("answers a DMARC-pass sender with message.reply(), threaded and marked auto-replied", async () => {
    const m = await signed();
    const captured = await receive(m.raw, m.sender);
    expect(captured.replies).toEqual([{ from: "away@vac.test", to: m.sender }]);
    const raw = await storedReply(m.sender);
    expect(raw).not.toBeNull();
    const reply = await PostalMime.parse(raw!);
    expect(reply.subject).toBe("Out of office");
    expect(reply.inReplyTo).toBe(m.messageId);
    expect(reply.references).toBe(`<earlier@friend.test> ${m.messageId}`);
    expect(reply.headers.find((h) => h.key === "auto-submitted")?.value).toBe("auto-replied");
    expect(reply.text?.trim()).toBe("Back on Monday.");
  });

  it("answers a sender once per interval, remembered in D1", async () => {
    const first = await signed({}, "repeat");
    expect((await receive(first.raw, first.sender)).replies).toHaveLength(1);
    const second = await signed({}, "repeat");
    expect((await receive(second.raw, second.sender)).replies).toHaveLength(0);
    // Past the interval, the sender is answered again.
    await env.DB.prepare("UPDATE auto_reply_senders SET last_sent_at = last_sent_at - ?1 WHERE sender = ?2")
      .bind(7 * DAY + 1, first.sender)
      .run();
    const third = await signed({}, "repeat");
    expect((await receive(third.raw, third.sender)).replies).toHaveLength(1);
  });

  it("goes through the relay, null envelope sender, when reply() is not allowed", async () => {
    const m = await signed();
    const captured = await receive(m.raw, m.sender, { refuseReply: true });
    expect(captured.replies).toEqual([]);
    expect(await relayedTo(m.sender)).toEqual([{ mail_from: "", origin: "notice" }]);
  });

  const never: [string, () => Promise<{ raw: string; sender: string; mailFrom?: string }>][] = [
    ["the null sender", async () => ({ ...(await signed()), mailFrom: "" })],
    ["Auto-Submitted: auto-generated", () => signed({ "Auto-Submitted": "auto-generated" })],
    ["Auto-Submitted: auto-replied", () => signed({ "Auto-Submitted": "auto-replied (vacation)" })],
    ["Precedence: bulk", () => signed({ Precedence: "bulk" })],
    ["Precedence: list", () => signed({ Precedence: "list" })],
    ["Precedence: junk", () => signed({ Precedence: "junk" })],
    ["List-Id", () => signed({ "List-Id": "<team.friend.test>" })],
    ["List-Unsubscribe", () => signed({ "List-Unsubscribe": "<mailto:u@friend.test>" })],
    [
      "Facteur's own address (SRS)",
      async () => ({ ...(await signed()), mailFrom: await srsForward("x@friend.test", "vac.test", "s", Date.now()) }),
    ],
    ["a sender on a Facteur domain", async () => ({ ...(await signed()), mailFrom: "robot@vac.test" })],
    [
      "an unauthenticated sender",
      async () => ({
        raw: mail({ From: "eve@stranger.test", To: "away@vac.test", Subject: "hi" }),
        sender: "eve@stranger.test",
      }),
    ],
  ];
  for (const [name, make] of never) {
    it(`never answers ${name}`, async () => {
      const m = await make();
      const from = m.mailFrom ?? m.sender;
      const captured = await receive(m.raw, from);
      expect(captured.replies).toEqual([]);
      expect(await storedReply(from)).toBeNull();
      expect(await relayedTo(m.sender)).toEqual([]);
    });
  }

  it("never answers outside the start and end dates, or when turned off", async () => {
    const base = { alias: "away@vac.test", domain: "vac.test", subject: "s", body: "b", intervalDays: 7 };
    const now = Date.now();
    for (const window of [
      { enabled: true, startsAt: now + DAY, endsAt: null },
      { enabled: true, startsAt: null, endsAt: now - DAY },
      { enabled: false, startsAt: null, endsAt: null },
    ]) {
      await upsertAutoReply(env.DB, { ...base, ...window }).run();
      const m = await signed();
      expect((await receive(m.raw, m.sender)).replies).toEqual([]);
    }
  });
});
