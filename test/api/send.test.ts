/**
 * Sending as your address: the happy path lands in the capture relay DKIM-signed (verified against
 * the records GET /dkim publishes), Bcc never appears in the sent header, a spoofed From is 403
 * with nothing queued, and the per-user rate limit answers 429 with Retry-After.
 */
import "../../src/mailauth/crypto-compat";
import { env } from "cloudflare:test";
import type { DNSResolver } from "mailauth";
import { dkimVerify } from "mailauth/lib/dkim/verify";
import { beforeAll, describe, expect, it } from "vitest";
import { listOutbox } from "../../src/store/outbox";
import { runJobs, testEnv } from "../deliver/helpers";
import { call, createDomainFixture, createTokenFixture, jsonOf, ok } from "./helpers";

const ALICE = `Basic ${btoa("alice:alice password 1")}`;
let records: { type: string; name: string; content: string }[] = [];
let aliceToken = "";

function resolver(): DNSResolver {
  return (async (name: string, type: string) => {
    const hits = records.filter((r) => r.name === name.toLowerCase() && r.type === type);
    if (hits.length === 0) throw Object.assign(new Error("nxdomain"), { code: "ENOTFOUND" });
    return hits.map((r) => [r.content]);
  }) as DNSResolver;
}

async function send(body: unknown, options: { auth?: string; envOverride?: object; raw?: string } = {}) {
  const e = options.envOverride ?? testEnv();
  const res = await call("POST", "/api/v1/send", {
    token: null,
    headers: { authorization: options.auth ?? ALICE },
    ...(options.raw !== undefined ? { rawBody: options.raw, contentType: "message/rfc822" } : { body }),
    env: e,
  });
  return { res, env: e as ReturnType<typeof testEnv> };
}

beforeAll(async () => {
  await createDomainFixture("send.example");
  await createDomainFixture("nokey.example");
  await ok(await call("POST", "/api/v1/domains/send.example/dkim", { body: { selector: "s2026" } }), 201);
  records = (await ok<{ records: typeof records }>(await call("GET", "/api/v1/domains/send.example/dkim"))).records;
  for (const name of ["alice", "bob"]) {
    await ok(
      await call("POST", "/api/v1/users", {
        body: { name, password: `${name} password 1`, mailboxes: [`${name}@gmail.com`] },
      }),
      201,
    );
    await ok(await call("POST", "/api/v1/aliases", { body: { address: `${name}@send.example`, owner: name } }), 201);
  }
  await ok(await call("POST", "/api/v1/aliases", { body: { address: "alice@nokey.example", owner: "alice" } }), 201);
  aliceToken = (await createTokenFixture([], "alice")).token;
});

describe("POST /api/v1/send", () => {
  it("composes, signs and relays a JSON message; it lands in the capture relay signed, without Bcc", async () => {
    const { res, env: e } = await send({
      from: "alice@send.example",
      from_name: "Alice Ré",
      to: ["friend@example.org"],
      cc: ["copy@example.net"],
      bcc: ["hidden@example.com"],
      subject: "Hello ✉",
      text: "Bonjour, ça va ?",
      html: "<p>Bonjour</p>",
      reply_to: "alice+replies@send.example",
      headers: { "X-Campaign": "test" },
      attachments: [{ filename: "note.txt", content_type: "text/plain", content: btoa("attached") }],
    });
    expect(res.status).toBe(202);
    const result = await jsonOf(res);
    expect(result.message_id).toMatch(/^<[0-9a-f]+@send\.example>$/);
    expect(result.deliveries.map((d: { rcpt: string }) => d.rcpt).sort()).toEqual([
      "copy@example.net",
      "friend@example.org",
      "hidden@example.com",
    ]);
    expect(e.DELIVERY_QUEUE.jobs.length).toBeGreaterThan(0);
    await runJobs(e.DELIVERY_QUEUE.jobs, e);

    const { rows } = await listOutbox(env, { limit: 10 });
    const sent = rows.find((i) => i.raw?.includes(result.message_id));
    expect(sent?.mailFrom).toBe("alice@send.example");
    expect(sent?.rcptTo.sort()).toEqual(["copy@example.net", "friend@example.org", "hidden@example.com"]);
    const raw = sent?.raw ?? "";
    const header = raw.slice(0, raw.indexOf("\r\n\r\n"));
    expect(header).toMatch(/^DKIM-Signature: .*d=send\.example/s);
    expect(header).not.toMatch(/^Bcc:/im);
    expect(raw).not.toContain("hidden@example.com");
    expect(header).toContain("X-Campaign: test");
    const verified = await dkimVerify(raw, { resolver: resolver() });
    expect(verified.results[0]?.status.result).toBe("pass");

    // The same message through the API's outbox and the deliveries log.
    const outbox = await ok<{ items: { raw: string }[] }>(await call("GET", "/api/v1/outbox?limit=5"));
    expect(outbox.items.some((i) => i.raw.includes(result.message_id))).toBe(true);
    const log = await ok<{ items: { status: string }[] }>(
      await call("GET", `/api/v1/deliveries?message=${result.message}`),
    );
    expect(log.items.map((d) => d.status)).toEqual(["sent", "sent", "sent"]);
  });

  it("takes a raw RFC 5322 message with a user token, strips Bcc and adds Message-ID", async () => {
    const raw = [
      "From: Alice <alice@send.example>",
      "To: one@example.org",
      "Bcc: secret@example.com,",
      " other-secret@example.com",
      "Subject: raw",
      "",
      "raw body",
      "",
    ].join("\r\n");
    const { res, env: e } = await send(undefined, { auth: `Bearer ${aliceToken}`, raw });
    expect(res.status).toBe(202);
    const result = await jsonOf(res);
    expect(result.deliveries).toHaveLength(3);
    await runJobs(e.DELIVERY_QUEUE.jobs, e);
    const { rows } = await listOutbox(env, { limit: 10 });
    const sent = rows.find((i) => i.raw?.includes(result.message_id))?.raw ?? "";
    expect(sent).toContain("raw body");
    expect(sent).not.toMatch(/secret@example\.com/);
    expect((await dkimVerify(sent, { resolver: resolver() })).results[0]?.status.result).toBe("pass");
  });

  it("sends as a list the user owns (through one of their mailboxes), not as a list they only belong to", async () => {
    await ok(await call("POST", "/api/v1/lists", { body: { address: "team@send.example", name: "Team" } }), 201);
    await ok(
      await call("POST", "/api/v1/lists/team@send.example/members", {
        body: {
          skip_confirmation: true,
          members: [
            { address: "alice@gmail.com", role: "owner" },
            { address: "bob@gmail.com", role: "member" },
          ],
        },
      }),
      201,
    );
    const announcement = { from: "team@send.example", to: ["all@example.org"], subject: "news", text: "x" };
    expect((await send(announcement)).res.status).toBe(202);
    expect((await send(announcement, { auth: `Basic ${btoa("bob:bob password 1")}` })).res.status).toBe(403);
  });

  it("refuses a From the user does not own (403) and queues nothing", async () => {
    for (const from of ["bob@send.example", "ceo@bank.example", "alice@other.example"]) {
      const { res, env: e } = await send({ from, to: ["victim@example.org"], subject: "hi", text: "x" });
      expect(res.status, from).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(e.DELIVERY_QUEUE.jobs).toEqual([]);
    }
    const raw = "From: bob@send.example\r\nTo: victim@example.org\r\nSubject: x\r\n\r\nx\r\n";
    expect((await send(undefined, { raw })).res.status).toBe(403);
  });

  it("enforces the per-user rate limit with 429 and Retry-After", async () => {
    const limited = testEnv({ SEND_RATE_PER_HOUR: "2" } as Partial<Env>);
    const message = { from: "bob@send.example", to: ["r@example.org"], subject: "n", text: "x" };
    const bob = `Basic ${btoa("bob:bob password 1")}`;
    expect((await send(message, { auth: bob, envOverride: limited })).res.status).toBe(202);
    expect((await send(message, { auth: bob, envOverride: limited })).res.status).toBe(202);
    const { res } = await send(message, { auth: bob, envOverride: limited });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("gives clear problems for limits and missing parts", async () => {
    const many = Array.from({ length: 51 }, (_, i) => `r${i}@example.org`);
    const tooMany = await send({ from: "alice@send.example", to: many, subject: "x", text: "x" });
    expect(tooMany.res.status).toBe(400);
    expect((await jsonOf(tooMany.res)).errors[0].field).toBe("to");
    const noRcpt = await send({ from: "alice@send.example", subject: "x", text: "x" });
    expect(noRcpt.res.status).toBe(422);
    const noBody = await send({ from: "alice@send.example", to: ["a@example.org"], subject: "x" });
    expect(noBody.res.status).toBe(400);
    expect((await jsonOf(noBody.res)).errors[0].field).toBe("text");
    const noKey = await send({ from: "alice@nokey.example", to: ["a@example.org"], subject: "x", text: "x" });
    expect(noKey.res.status).toBe(409);
    expect((await jsonOf(noKey.res)).detail).toContain("DKIM");
    const reserved = await send({
      from: "alice@send.example",
      to: ["a@example.org"],
      subject: "x",
      text: "x",
      headers: { "DKIM-Signature": "forged" },
    });
    expect(reserved.res.status).toBe(400);
    const injected = await send({
      from: "alice@send.example",
      to: ["a@example.org"],
      subject: "x\r\nBcc: evil@example.com",
      text: "x",
    });
    expect(injected.res.status).toBe(400);
    expect((await jsonOf(injected.res)).errors[0].field).toBe("subject");
    const big = await send(undefined, {
      raw: `From: alice@send.example\r\nTo: a@example.org\r\n\r\n${"x".repeat(15 * 1024 * 1024)}`,
    });
    expect(big.res.status).toBe(413);
  });
});
