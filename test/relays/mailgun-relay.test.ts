// The Mailgun relay against the local stand-in (test/servers/mailgun-mock.mjs), which checks the
// auth, path and multipart field names like Mailgun, and keeps the raw bytes it received.
import { describe, expect, inject, it } from "vitest";
import { createMailgunRelay, MAILGUN_CONCURRENCY, retryAfterSeconds } from "../../src/deliver/relays/mailgun";
import { parseRelayUrl } from "../../src/deliver/relays/relay-url";
import { address } from "./sink";

const mock = inject("mailgunMock");
const config = { kind: "mailgun" as const, apiKey: mock.apiKey, domain: mock.domain, baseUrl: mock.baseUrl };

interface MockMessage {
  domain: string;
  to: string[];
  rawBase64: string;
  filename: string;
  contentType: string;
}

async function receivedByMock(to: string): Promise<MockMessage[]> {
  const response = await fetch(`${mock.baseUrl}/_control/messages?to=${encodeURIComponent(to)}`);
  return ((await response.json()) as { messages: MockMessage[] }).messages;
}

/** A message whose bytes would not survive re-encoding: 8-bit, CRLF, a lone CR, a NUL, a leading dot. */
function awkwardMessage(): Uint8Array {
  const head = new TextEncoder().encode(
    "DKIM-Signature: v=1; a=rsa-sha256; d=facteur.test; s=sel; b=abc\r\nFrom: a@facteur.test\r\nSubject: =?utf-8?q?=C3=A7a?=\r\n\r\n.dot\r\nçà\r\n",
  );
  const tail = new Uint8Array([0xff, 0xfe, 0x00, 0x0d, 0x41, 0x0d, 0x0a]);
  const raw = new Uint8Array(head.length + tail.length);
  raw.set(head);
  raw.set(tail, head.length);
  return raw;
}

describe("Mailgun relay (messages.mime)", () => {
  it("sends the exact raw bytes as a file part, one `to` field per recipient", async () => {
    const a = address("ok", "example.test");
    const b = address("ok", "example.test");
    const raw = awkwardMessage();
    const outcomes = await createMailgunRelay(config).send({ mailFrom: "bounces@facteur.test", rcptTo: [a, b] }, raw);
    expect(outcomes.map((o) => [o.rcpt, o.status])).toEqual([
      [a, "sent"],
      [b, "sent"],
    ]);
    expect(outcomes[0]!.reply).toMatch(/^250 2\.0\.0 Mailgun: Queued\. Thank you\. id=<mock-\d+@mg\.facteur\.test>$/);
    const stored = await receivedByMock(a);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.to).toEqual([a, b]);
    expect(stored[0]!.domain).toBe(mock.domain);
    expect(stored[0]!.contentType).toBe("message/rfc822");
    expect(Uint8Array.from(atob(stored[0]!.rawBase64), (c) => c.charCodeAt(0))).toEqual(raw);
  });

  it("a prefix (a member's header lines) arrives in front of the message, not joined in memory first", async () => {
    const a = address("ok");
    const raw = awkwardMessage();
    const prefix = new TextEncoder().encode("List-Unsubscribe: <https://facteur.test/u/1>\r\n");
    const relay = createMailgunRelay(config);
    expect(relay.acceptsPrefix).toBe(true);
    const [outcome] = await relay.send({ mailFrom: "", rcptTo: [a] }, raw, prefix);
    expect(outcome!.status).toBe("sent");
    const stored = Uint8Array.from(atob((await receivedByMock(a))[0]!.rawBase64), (c) => c.charCodeAt(0));
    expect(stored).toEqual(new Uint8Array([...prefix, ...raw]));
  });

  it("works from a parsed RELAY_URL with ?base=", async () => {
    const parsed = parseRelayUrl(`mailgun://${mock.apiKey}@${mock.domain}?base=${encodeURIComponent(mock.baseUrl)}`);
    expect(parsed).toEqual(config);
    if (parsed.kind !== "mailgun") throw new Error("unreachable");
    const a = address("ok");
    const outcomes = await createMailgunRelay(parsed).send({ mailFrom: "", rcptTo: [a] }, awkwardMessage());
    expect(outcomes[0]!.status).toBe("sent");
  });

  it("a wrong API key is a temporary relay error (the operator's to fix), with Mailgun's answer in the reply", async () => {
    const a = address("ok");
    const outcomes = await createMailgunRelay({ ...config, apiKey: "key-wrong" }).send(
      { mailFrom: "", rcptTo: [a] },
      awkwardMessage(),
    );
    expect(outcomes).toEqual([
      {
        rcpt: a,
        status: "temporary",
        reply: "451 4.7.8 Mailgun HTTP 401: Forbidden (check the API key in RELAY_URL)",
        relayError: true,
      },
    ]);
    expect(await receivedByMock(a)).toHaveLength(0);
  });

  it("an unknown sending domain (404) is a temporary relay error", async () => {
    const outcomes = await createMailgunRelay({ ...config, domain: "unknown.test" }).send(
      { mailFrom: "", rcptTo: [address("ok")] },
      awkwardMessage(),
    );
    expect(outcomes[0]).toMatchObject({ status: "temporary", relayError: true });
    expect(outcomes[0]!.reply).toBe(
      "451 4.3.5 Mailgun HTTP 404: Domain not found: unknown.test (check the Mailgun account)",
    );
  });

  it("429 is temporary, and its Retry-After is kept for the retry", async () => {
    const outcomes = await createMailgunRelay(config).send(
      { mailFrom: "", rcptTo: [address("ratelimit"), address("ok")] },
      awkwardMessage(),
    );
    expect(outcomes.map((o) => o.status)).toEqual(["temporary", "temporary"]);
    expect(outcomes[0]!.reply).toBe("451 4.0.0 Mailgun HTTP 429: Too many requests (Retry-After 30 s)");
    expect(outcomes.map((o) => o.retryAfterSeconds)).toEqual([30, 30]);
  });

  it("Retry-After as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3)", () => {
    const now = Date.parse("2026-12-01T10:00:00Z");
    expect(retryAfterSeconds("120", now)).toBe(120);
    expect(retryAfterSeconds("Tue, 01 Dec 2026 10:01:30 GMT", now)).toBe(90);
    expect(retryAfterSeconds("Tue, 01 Dec 2026 09:00:00 GMT", now)).toBe(0);
    expect(retryAfterSeconds("soon", now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it("through a scope: at most MAILGUN_CONCURRENCY requests in flight, all delivered", async () => {
    const scoped = createMailgunRelay(config).openScope!();
    const group = `grp-${crypto.randomUUID().slice(0, 8)}.test`;
    const rcpts = Array.from({ length: 10 }, () => address("slow", group));
    const outcomes = await Promise.all(rcpts.map((r) => scoped.send({ mailFrom: "", rcptTo: [r] }, awkwardMessage())));
    await scoped.close();
    expect(outcomes.flat().map((o) => o.status)).toEqual(rcpts.map(() => "sent"));
    const { max } = (await (await fetch(`${mock.baseUrl}/_control/concurrency?domain=${group}`)).json()) as {
      max: number;
    };
    expect(max).toBeGreaterThan(1);
    expect(max).toBeLessThanOrEqual(MAILGUN_CONCURRENCY);
  });

  it("500 is temporary, 402 is a temporary relay error", async () => {
    const relay = createMailgunRelay(config);
    const down = await relay.send({ mailFrom: "", rcptTo: [address("error500")] }, awkwardMessage());
    expect(down[0]!.status).toBe("temporary");
    const disabled = await relay.send({ mailFrom: "", rcptTo: [address("suspended")] }, awkwardMessage());
    expect(disabled[0]).toMatchObject({
      status: "temporary",
      relayError: true,
      reply: "451 4.3.5 Mailgun HTTP 402: Domain is disabled (check the Mailgun account)",
    });
  });

  it("a network failure is temporary", async () => {
    const outcomes = await createMailgunRelay({ ...config, baseUrl: "http://127.0.0.1:1" }).send(
      { mailFrom: "", rcptTo: [address("ok")] },
      awkwardMessage(),
    );
    expect(outcomes[0]!.status).toBe("temporary");
    expect(outcomes[0]!.reply).toMatch(/^451 4\.4\.1 Mailgun: request failed: /);
  });

  it("a message over Mailgun's 25 MB limit is permanent without a request; no recipients, no request", async () => {
    const relay = createMailgunRelay({ ...config, baseUrl: "http://127.0.0.1:1" });
    const a = address("ok");
    const big = new Uint8Array(25 * 1024 * 1024 + 1);
    const outcomes = await relay.send({ mailFrom: "", rcptTo: [a] }, big);
    expect(outcomes).toEqual([
      {
        rcpt: a,
        status: "permanent",
        reply: `552 5.3.4 Mailgun: the message is ${big.length} bytes, over Mailgun's limit of 26214400`,
      },
    ]);
    expect(await relay.send({ mailFrom: "", rcptTo: [] }, big)).toEqual([]);
  });

  it("the mock refuses what Mailgun refuses: wrong field names (proves the relay's names are checked)", async () => {
    const form = new FormData();
    form.append("recipient", "a@example.test");
    form.append("message", new File([awkwardMessage()], "m.eml"));
    const response = await fetch(`${mock.baseUrl}/v3/${mock.domain}/messages.mime`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`api:${mock.apiKey}`)}` },
      body: form,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: "unknown parameter 'recipient'" });
  });
});
