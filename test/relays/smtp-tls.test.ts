// TLS for real: STARTTLS (RFC 3207) and implicit TLS (RFC 8314) against the sink, with workerd
// verifying the sink's certificate against the test CA (vitest.config.ts sets SSL_CERT_FILE).
import { describe, expect, it } from "vitest";
import { createSmtpRelay } from "../../src/deliver/relays/smtp";
import { address, bytesOf, message, received, relayTo, sink, smtpConfig, TEST_TIMEOUTS } from "./sink";

const FROM = "bounces@facteur.test";

describe("SMTP relay over TLS", () => {
  it("STARTTLS on the submission-style listener, then AUTH over TLS", async () => {
    const a = address("ok");
    const raw = message({ subject: "starttls" });
    const relay = relayTo("starttls", { host: "localhost", username: sink.user, password: sink.password });
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [a] }, raw);
    expect(outcomes[0]!.status).toBe("sent");
    const stored = await received(a);
    expect(stored[0]!.listener).toBe("starttls");
    expect(stored[0]!.secure).toBe(true);
    expect(stored[0]!.authUser).toBe(sink.user);
    expect(bytesOf(stored[0]!)).toEqual(raw);
  });

  it("STARTTLS verifies the certificate against an IP address SAN too", async () => {
    const a = address("ok");
    const outcomes = await relayTo("starttls").send({ mailFrom: FROM, rcptTo: [a] }, message());
    expect(outcomes[0]!.status).toBe("sent");
    expect((await received(a))[0]!.secure).toBe(true);
  });

  it("implicit TLS from the first byte, with AUTH LOGIN-capable server", async () => {
    const a = address("ok");
    const relay = relayTo("tls", { host: "localhost", username: sink.user, password: sink.password });
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [a] }, message({ subject: "implicit tls" }));
    expect(outcomes[0]!.status).toBe("sent");
    const stored = await received(a);
    expect(stored[0]!.listener).toBe("tls");
    expect(stored[0]!.secure).toBe(true);
    expect(stored[0]!.authUser).toBe(sink.user);
  });

  it("a certificate from an untrusted issuer fails the handshake (temporary, nothing sent)", async () => {
    // The "untrusted" listener presents a self-signed certificate that is not in SSL_CERT_FILE:
    // this proves that workerd verifies the chain, so the passing tests above mean something.
    const relay = createSmtpRelay(smtpConfig("tls", { host: "localhost", port: sink.untrustedPort }), {
      timeouts: TEST_TIMEOUTS,
    });
    const a = address("ok");
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [a] }, message());
    expect(outcomes[0]!.status).toBe("temporary");
    expect(outcomes[0]!.reply).toMatch(/^421 4\.4\.0 Facteur: /);
    expect(await received(a)).toHaveLength(0);
  });

  it("STARTTLS configured but not offered: refuses to continue in clear (temporary)", async () => {
    const relay = createSmtpRelay(smtpConfig("plain", { security: "starttls" }), { timeouts: TEST_TIMEOUTS });
    const a = address("ok");
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [a] }, message());
    expect(outcomes[0]).toEqual({
      rcpt: a,
      status: "temporary",
      reply: "454 4.7.0 Facteur: the server does not offer STARTTLS; not continuing in clear",
    });
  });

  it("implicit TLS to a plain listener fails cleanly within the timeouts (temporary)", async () => {
    const relay = createSmtpRelay(smtpConfig("plain", { security: "tls" }), {
      timeouts: { ...TEST_TIMEOUTS, connect: 2000, greeting: 2000 },
    });
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [address("ok")] }, message());
    expect(outcomes[0]!.status).toBe("temporary");
    expect(outcomes[0]!.reply).toMatch(/^421 4\.4\.[02] Facteur: /);
  });
});
