import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enqueueDelivery } from "../../src/deliver/enqueue";
import { createCaptureRelay } from "../../src/deliver/relays/capture";
import {
  CLOUDFLARE_MAX_MESSAGE_BYTES,
  classifySendEmailError,
  createCloudflareRelay,
  type SendEmailBinding,
} from "../../src/deliver/relays/cloudflare";
import { createRelay, RelayConfigError, relayForDomain, relayFromUrl } from "../../src/deliver/relays/index";
import { listDeliveries } from "../../src/store/deliveries";
import { listOutbox } from "../../src/store/outbox";
import { testEnv, uid } from "./helpers";

const RAW = new TextEncoder().encode("From: a@facteur.test\r\nSubject: x\r\n\r\nbody\r\n");

function codeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

/** A send_email binding that answers per recipient as declared, and keeps what it was given. */
function sendEmailBinding(answer: (to: string) => Error | null) {
  // EmailMessage exposes its envelope, not its body (the runtime reads that), so only the
  // envelope is recorded.
  const sent: { from: string; to: string }[] = [];
  const binding: SendEmailBinding = {
    async send(message) {
      const error = answer(message.to);
      if (error) throw error;
      sent.push({ from: message.from, to: message.to });

      return { messageId: `<${message.to}@cf>` };
    },
  };
  return { binding, sent };
}

describe("capture relay", () => {
  it("stores envelope and exact bytes, accepts every recipient, and lists newest first with a cursor", async () => {
    const relay = createCaptureRelay(env);
    const tag = uid();
    for (let i = 0; i < 3; i++) {
      const outcomes = await relay.send(
        { mailFrom: `s${i}-${tag}@x.example`, rcptTo: ["a@y.example", "b@y.example"] },
        RAW,
      );
      expect(outcomes.map((o) => [o.rcpt, o.status])).toEqual([
        ["a@y.example", "sent"],
        ["b@y.example", "sent"],
      ]);
      expect(outcomes[0]!.reply).toMatch(/^250 2\.0\.0 Ok: captured as /);
    }
    const page1 = await listOutbox(env, { limit: 2 });
    expect(page1.rows.map((i) => i.mailFrom)).toEqual([`s2-${tag}@x.example`, `s1-${tag}@x.example`]);
    expect(page1.rows[0]!.raw).toBe(new TextDecoder().decode(RAW));
    expect(page1.rows[0]!.rcptTo).toEqual(["a@y.example", "b@y.example"]);
    expect(page1.next).not.toBeNull();
    const page2 = await listOutbox(env, { limit: 2, after: page1.next ?? undefined });
    expect(page2.rows[0]!.mailFrom).toBe(`s0-${tag}@x.example`);
  });
});

describe("cloudflare relay (send_email binding)", () => {
  it("is a clear config error without the SEND_EMAIL binding", () => {
    expect(() => createCloudflareRelay({})).toThrow(RelayConfigError);
    expect(() => createCloudflareRelay({})).toThrow(/\[\[send_email\]\]/);
  });

  it("sends one raw message per recipient and maps thrown errors to temporary or permanent", async () => {
    const { binding, sent } = sendEmailBinding((to) =>
      to.startsWith("limit")
        ? codeError("E_RATE_LIMIT_EXCEEDED")
        : to.startsWith("suppressed")
          ? codeError("E_RECIPIENT_SUPPRESSED")
          : to.startsWith("unverified")
            ? new Error("destination address is not a verified address")
            : to.startsWith("network")
              ? new Error("network connection lost")
              : null,
    );
    const relay = createCloudflareRelay({ SEND_EMAIL: binding });
    expect(relay.maxRecipients).toBe(50);
    const outcomes = await relay.send(
      {
        mailFrom: "bounce@facteur.test",
        rcptTo: [
          "ok@x.example",
          "limit@x.example",
          "suppressed@x.example",
          "unverified@x.example",
          "network@x.example",
        ],
      },
      RAW,
    );
    expect(outcomes.map((o) => [o.rcpt, o.status])).toEqual([
      ["ok@x.example", "sent"],
      ["limit@x.example", "temporary"],
      ["suppressed@x.example", "permanent"],
      ["unverified@x.example", "permanent"],
      ["network@x.example", "temporary"],
    ]);
    expect(outcomes[2]!.reply).toBe("550 5.7.1 send_email refused: E_RECIPIENT_SUPPRESSED: E_RECIPIENT_SUPPRESSED");
    expect(sent).toEqual([{ from: "bounce@facteur.test", to: "ok@x.example" }]);
  });

  it("refuses a message above 5 MiB permanently without calling the binding", async () => {
    const { binding, sent } = sendEmailBinding(() => null);
    const relay = createCloudflareRelay({ SEND_EMAIL: binding });
    const outcomes = await relay.send(
      { mailFrom: "a@facteur.test", rcptTo: ["x@y.example"] },
      new Uint8Array(CLOUDFLARE_MAX_MESSAGE_BYTES + 1),
    );
    expect(outcomes[0]).toMatchObject({ status: "permanent" });
    expect(outcomes[0]!.reply).toMatch(/^552 5\.3\.4/);
    expect(sent).toHaveLength(0);
  });

  it("sends a null-sender report (DSN) with its From address as the binding's sender", async () => {
    const { binding, sent } = sendEmailBinding(() => null);
    const relay = createCloudflareRelay({ SEND_EMAIL: binding });
    const dsn = new TextEncoder().encode(
      "From: Mail Delivery System <mailer-daemon@facteur.test>\r\nTo: <a@x.example>\r\n\r\nreport\r\n",
    );
    const outcomes = await relay.send({ mailFrom: "", rcptTo: ["a@x.example"] }, dsn);
    expect(outcomes[0]!.status).toBe("sent");
    expect(sent).toEqual([{ from: "mailer-daemon@facteur.test", to: "a@x.example" }]);
  });

  it.each([
    ["E_DAILY_LIMIT_EXCEEDED", "temporary"],
    ["E_INTERNAL_SERVER_ERROR", "temporary"],
    ["E_DELIVERY_FAILED", "temporary"],
    ["E_SENDER_NOT_VERIFIED", "temporary"],
    ["E_CONTENT_TOO_LARGE", "permanent"],
    ["E_HEADER_NOT_ALLOWED", "permanent"],
    ["E_SOMETHING_NEW", "temporary"],
  ])("maps %s to %s", (code, status) => {
    expect(classifySendEmailError("x@y.example", codeError(code)).status).toBe(status);
  });
});

describe("relay selection", () => {
  it("builds each kind from a URL, once per URL, and reports a bad URL as RelayConfigError", () => {
    const relayEnv = { DB: env.DB, MAIL: env.MAIL };
    expect(relayFromUrl("capture:", relayEnv).name).toBe("capture");
    expect(relayFromUrl("capture:", relayEnv)).toBe(relayFromUrl("capture:", relayEnv));
    expect(relayFromUrl("smtp://127.0.0.1:2525", relayEnv).name).toBe("smtp");
    expect(
      createRelay({ kind: "mailgun", apiKey: "k", domain: "d.example", baseUrl: "http://127.0.0.1:1" }, relayEnv).name,
    ).toBe("mailgun");
    expect(() => relayFromUrl("gopher://x", relayEnv)).toThrow(RelayConfigError);
    expect(() => relayFromUrl("cloudflare:", relayEnv)).toThrow(/SEND_EMAIL/);
  });

  it("uses the domain's relay_url, else RELAY_URL", async () => {
    const domain = `d-${uid()}.test`;
    expect((await relayForDomain(env, domain)).name).toBe("capture");
    await env.DB.prepare(
      "INSERT INTO domains (name, enabled, relay_url, created_at, updated_at) VALUES (?1, 1, 'smtp://127.0.0.1:2525', 0, 0)",
    )
      .bind(domain)
      .run();
    expect((await relayForDomain(env, domain)).name).toBe("smtp");
  });
});

describe("listDeliveries", () => {
  it("filters by message and status and pages newest first", async () => {
    const e = testEnv();
    const id = `m-${uid()}`;
    await enqueueDelivery(e, {
      origin: "alias",
      messageLogId: id,
      raw: RAW,
      mailFrom: "a@facteur.test",
      recipients: ["r1@x.example", "r2@x.example", "r3@x.example"],
      domain: "facteur.test",
      senderAuthenticated: true,
    });
    const page1 = await listDeliveries(env, { message: id, limit: 2 });
    expect(page1.rows).toHaveLength(2);
    expect(page1.rows.every((d) => d.status === "queued" && d.messageLogId === id)).toBe(true);
    const page2 = await listDeliveries(env, { message: id, limit: 2, after: page1.next ?? undefined });
    expect(page2.rows).toHaveLength(1);
    expect(page2.next).toBeNull();
    expect(new Set([...page1.rows, ...page2.rows].map((d) => d.rcpt))).toEqual(
      new Set(["r1@x.example", "r2@x.example", "r3@x.example"]),
    );
    expect((await listDeliveries(env, { message: id, status: "sent", limit: 10 })).rows).toEqual([]);
    expect((await listDeliveries(env, { message: id, domains: ["facteur.test"], limit: 10 })).rows).toHaveLength(3);
    expect((await listDeliveries(env, { message: id, domains: ["other.test"], limit: 10 })).rows).toEqual([]);
  });
});
