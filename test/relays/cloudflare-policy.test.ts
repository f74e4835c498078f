/**
 * The cloudflare: relay under Email Sending's rules: no platform-controlled header fields on the
 * wire (the rest byte for byte), and list fan-out refused unless RELAY_URL=cloudflare:?lists=allow.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DeliveryJob } from "../../src/core/jobs";
import { createCloudflareRelay, type SendEmailBinding } from "../../src/deliver/relays/cloudflare";
import { refusesOrigin, stripPlatformHeaders } from "../../src/deliver/relays/cloudflare-policy";
import { createRelay } from "../../src/deliver/relays/index";
import { parseRelayUrl } from "../../src/deliver/relays/relay-url";
import { sendJob } from "../../src/deliver/send-job";

const encoder = new TextEncoder();
const SIGNED = [
  "Return-Path: <alice@example.org>",
  "Received: from mx.example.org by mx.cloudflare.net; Wed, 25 Nov 2026 09:00:00 +0000",
  "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.org; s=arc;",
  "\tb=AAAA",
  "ARC-Message-Signature: i=1; a=rsa-sha256; d=example.org; s=arc; b=BBBB",
  "ARC-Authentication-Results: i=1; mx.example.org; dkim=pass",
  "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel;",
  " h=from:to:subject; bh=CCCC; b=DDDD",
  "From: Alice <alice@example.org>",
  "To: bob@facteur.test",
  "Subject: =?UTF-8?Q?caf=C3=A9?= Ré",
  "X-Feedback: kept",
  "Feedback-ID: 1:2:3",
  "",
  "DKIM-Signature: this line is body, not a header",
  "",
].join("\r\n");
const KEPT = [
  "From: Alice <alice@example.org>",
  "To: bob@facteur.test",
  "Subject: =?UTF-8?Q?caf=C3=A9?= Ré",
  "X-Feedback: kept",
  "",
  "DKIM-Signature: this line is body, not a header",
  "",
].join("\r\n");

function recordingBinding() {
  const sent: { from: string; to: string }[] = [];
  const binding: SendEmailBinding = {
    async send(message) {
      sent.push({ from: message.from, to: message.to });
      return { messageId: "<cf@x>" };
    },
  };
  return { binding, sent };
}

describe("the cloudflare: relay's policy", () => {
  it("takes the platform-controlled fields out, folds included, and keeps every other byte", () => {
    const out = stripPlatformHeaders(encoder.encode(SIGNED));
    expect(new TextDecoder().decode(out)).toBe(KEPT);
    const bare = encoder.encode("Subject: x\r\nDKIM-Signature: v=1;\r\n b=E\r\nFrom: a@b.example\r\n");
    expect(new TextDecoder().decode(stripPlatformHeaders(bare))).toBe("Subject: x\r\nFrom: a@b.example\r\n");
    const plain = encoder.encode("From: a@b.example\r\n\r\nbody\r\n");
    expect(stripPlatformHeaders(plain)).toEqual(plain);
  });

  it("refuses list mail unless RELAY_URL opts in with ?lists=allow", () => {
    expect(parseRelayUrl("cloudflare:")).toEqual({ kind: "cloudflare" });
    expect(parseRelayUrl("cloudflare:?lists=allow")).toEqual({ kind: "cloudflare", allowLists: true });
    expect(() => parseRelayUrl("cloudflare:?lists=yes")).toThrow(/\?lists=allow/);
    const { binding } = recordingBinding();
    const strict = createRelay(parseRelayUrl("cloudflare:"), { ...env, SEND_EMAIL: binding });
    const open = createRelay(parseRelayUrl("cloudflare:?lists=allow"), { ...env, SEND_EMAIL: binding });
    expect(strict.refusesOrigin?.("list")).toMatch(/transactional mail.*RELAY_URL=cloudflare:\?lists=allow/);
    expect(strict.refusesOrigin?.("alias")).toBeNull();
    expect(strict.refusesOrigin?.("dsn")).toBeNull();
    expect(open.refusesOrigin?.("list")).toBeNull();
    expect(refusesOrigin("submission", false)).toBeNull();
  });

  it("a list job through sendJob: temporary 4.3.5 without calling send_email; with the opt-in it is sent", async () => {
    await env.MAIL.put("policy/list-1", SIGNED);
    const job: DeliveryJob = {
      v: 1,
      r2Key: "policy/list-1",
      mailFrom: "team-bounces@facteur.test",
      recipients: [{ id: "d1", rcpt: "m1@x.example" }],
      attempt: 0,
      origin: "list",
      messageLogId: "m-policy",
      domain: "facteur.test",
      queuedAt: Date.now(),
      senderAuthenticated: true,
      autoSubmitted: false,
    };
    const { binding, sent } = recordingBinding();
    const refused = await sendJob(env, job, job.recipients, async () => createCloudflareRelay({ SEND_EMAIL: binding }));
    expect(refused.outcomes.get("d1")).toMatchObject({
      status: "temporary",
      reply: expect.stringMatching(/^451 4\.3\.5 the cloudflare: relay/),
    });
    expect(sent).toEqual([]);
    const allowed = await sendJob(env, job, job.recipients, async () =>
      createCloudflareRelay({ SEND_EMAIL: binding }, { allowLists: true }),
    );
    expect(allowed.outcomes.get("d1")?.status).toBe("sent");
    expect(sent).toEqual([{ from: "team-bounces@facteur.test", to: "m1@x.example" }]);
  });
});
