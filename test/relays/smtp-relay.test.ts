// The SMTP relay against the real smtp-server sink on 127.0.0.1 (plain and "bare" listeners).
import { describe, expect, it } from "vitest";
import { createSmtpRelay } from "../../src/deliver/relays/smtp";
import { address, attempts, bytesOf, message, received, relayTo, sink, smtpConfig, TEST_TIMEOUTS } from "./sink";

const FROM = "bounces@facteur.test";

describe("SMTP relay: delivery and per-recipient results", () => {
  it("delivers the exact bytes to every recipient in one transaction", async () => {
    const a = address("ok");
    const b = address("ok");
    const raw = message({ subject: "two recipients" });
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [a, b] }, raw);
    expect(outcomes.map((o) => [o.rcpt, o.status])).toEqual([
      [a, "sent"],
      [b, "sent"],
    ]);
    expect(outcomes[0]!.reply).toMatch(/^250 2\.0\.0 Ok: queued as sink-\d+$/);
    const stored = await received(a);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.rcptTo).toEqual([a, b]);
    expect(stored[0]!.mailFrom).toBe(FROM);
    expect(bytesOf(stored[0]!)).toEqual(raw);
    // SIZE is offered by the sink, so the client declares the size (RFC 1870).
    expect(stored[0]!.mailFromArgs.SIZE).toBe(String(raw.length));
    expect(stored[0]!.mailFromArgs.BODY).toBeUndefined();
  });

  it("sends the null reverse-path <> for an empty mailFrom", async () => {
    const a = address("ok");
    const outcomes = await relayTo("plain").send({ mailFrom: "", rcptTo: [a] }, message());
    expect(outcomes[0]!.status).toBe("sent");
    expect((await received(a))[0]!.mailFrom).toBe("");
  });

  it("authenticates with AUTH PLAIN (credentials allowed in clear on loopback)", async () => {
    const a = address("ok");
    const relay = relayTo("plain", { username: sink.user, password: sink.password });
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [a] }, message());
    expect(outcomes[0]!.status).toBe("sent");
    expect((await received(a))[0]!.authUser).toBe(sink.user);
  });

  it("authenticates with AUTH LOGIN when the server offers only LOGIN", async () => {
    const a = address("ok");
    const relay = relayTo("bare", { username: sink.user, password: sink.password });
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [a] }, message());
    expect(outcomes[0]!.status).toBe("sent");
    expect((await received(a))[0]!.authUser).toBe(sink.user);
  });

  it("wrong relay credentials are temporary (a configuration fault, not the message's) with the 535 verbatim", async () => {
    const a = address("ok");
    const relay = relayTo("plain", { username: sink.user, password: "wrong" });
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [a] }, message());
    expect(outcomes[0]!.status).toBe("temporary");
    expect(outcomes[0]!.reply).toContain("535 5.7.8 Authentication credentials invalid");
    expect(await received(a)).toHaveLength(0);
  });

  it("partial accept: the message goes to the accepted recipients, the rejected one gets its 550", async () => {
    const good1 = address("ok");
    const bad = address("reject550");
    const good2 = address("ok");
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [good1, bad, good2] }, message());
    expect(outcomes.map((o) => o.status)).toEqual(["sent", "permanent", "sent"]);
    expect(outcomes[1]).toEqual({ rcpt: bad, status: "permanent", reply: `550 5.1.1 <${bad}>: no such user` });
    const stored = await received(good1);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.rcptTo).toEqual([good1, good2]);
    expect(await received(bad)).toHaveLength(0);
  });

  it("451 at RCPT is temporary for that recipient only", async () => {
    const good = address("ok");
    const busy = address("temp451");
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [busy, good] }, message());
    expect(outcomes[0]).toEqual({ rcpt: busy, status: "temporary", reply: `451 4.3.0 <${busy}>: try again later` });
    expect(outcomes[1]!.status).toBe("sent");
  });

  it("421 first, then accepted when the relay is tried again", async () => {
    const rcpt = address("flaky2");
    const relay = relayTo("plain");
    const raw = message();
    const first = await relay.send({ mailFrom: FROM, rcptTo: [rcpt] }, raw);
    expect(first[0]!.status).toBe("temporary");
    expect(first[0]!.reply).toMatch(/^421 4\.4\.5 /);
    const second = await relay.send({ mailFrom: FROM, rcptTo: [rcpt] }, raw);
    expect(second[0]!.status).toBe("temporary");
    const third = await relay.send({ mailFrom: FROM, rcptTo: [rcpt] }, raw);
    expect(third[0]!.status).toBe("sent");
    expect(await received(rcpt)).toHaveLength(1);
    expect((await attempts(rcpt)).rcpt).toBe(3);
  });

  it("421 ends the session (RFC 5321 section 3.8): every pending recipient is temporary, nothing sent", async () => {
    const before = address("ok");
    const flaky = address("flaky");
    const after = address("ok");
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [before, flaky, after] }, message());
    expect(outcomes.map((o) => o.status)).toEqual(["temporary", "temporary", "temporary"]);
    expect(new Set(outcomes.map((o) => o.reply))).toEqual(new Set([`421 4.4.5 <${flaky}>: busy, try again later`]));
    expect((await attempts(after)).rcpt).toBe(0);
    expect(await received(before)).toHaveLength(0);
  });

  it("all recipients rejected: no DATA, nothing stored", async () => {
    const bad = address("reject550");
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [bad] }, message());
    expect(outcomes[0]!.status).toBe("permanent");
    expect(await received(bad)).toHaveLength(0);
  });

  it("a 554 after DATA is permanent for every accepted recipient", async () => {
    const a = address("rejectdata");
    const b = address("ok");
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [a, b] }, message());
    expect(outcomes.map((o) => o.status)).toEqual(["permanent", "permanent"]);
    expect(outcomes[1]!.reply).toBe("554 5.6.0 Message refused by content filter");
  });
});

describe("SMTP relay: broken connections and timeouts", () => {
  it("a connection dropped mid-DATA is temporary for all pending recipients; the retry delivers once", async () => {
    const drop = address("dropdata");
    const other = address("ok");
    const rejected = address("reject550");
    const relay = relayTo("plain");
    const raw = message({ body: "x".repeat(200_000) });
    const first = await relay.send({ mailFrom: FROM, rcptTo: [drop, rejected, other] }, raw);
    expect(first.map((o) => o.status)).toEqual(["temporary", "permanent", "temporary"]);
    expect(first[0]!.reply).toMatch(/^421 4\.4\.[02] Facteur: /);
    expect(await received(drop)).toHaveLength(0);
    expect(await received(other)).toHaveLength(0);
    expect((await attempts(drop)).dropped).toBe(1);

    const retry = await relay.send({ mailFrom: FROM, rcptTo: [drop, other] }, raw);
    expect(retry.map((o) => o.status)).toEqual(["sent", "sent"]);
    const stored = await received(drop);
    expect(stored).toHaveLength(1);
    expect(bytesOf(stored[0]!)).toEqual(raw);
  });

  it("a server slower than the RCPT timeout gives a temporary timeout for every pending recipient", async () => {
    const first = address("ok");
    const slow = address("slow10000");
    const relay = createSmtpRelay(smtpConfig("plain"), { timeouts: { ...TEST_TIMEOUTS, rcpt: 1000 } });
    const started = Date.now();
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [first, slow] }, message());
    expect(outcomes.map((o) => o.status)).toEqual(["temporary", "temporary"]);
    expect(outcomes[1]!.reply).toBe("421 4.4.2 Facteur: timed out after 1000 ms waiting for the reply to RCPT TO");
    // Far below the sink's 10 s delay: the client gave up on its own (generous bound for the slow pool).
    expect(Date.now() - started).toBeLessThan(8000);
    expect(await received(first)).toHaveLength(0);
  });

  it("the whole-session limit caps the sum of the steps", async () => {
    // Each RCPT reply alone is within its step timeout (5 s), but three slow ones exceed the session.
    const slow = [address("slow700"), address("slow700"), address("slow700")];
    const relay = createSmtpRelay(smtpConfig("plain"), { timeouts: { ...TEST_TIMEOUTS, session: 1500 } });
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: slow }, message());
    expect(outcomes.map((o) => o.status)).toEqual(["temporary", "temporary", "temporary"]);
    expect(outcomes[2]!.reply).toMatch(
      /^421 4\.4\.2 Facteur: timed out after \d+ ms waiting for the reply to (MAIL FROM|RCPT TO) \(the session time limit ran out\)$/,
    );
  });

  it("nothing listening: temporary connection failure", async () => {
    // A port taken from the sink's control server range that nothing listens on is not reliable;
    // port 1 on loopback is never an SMTP server and refuses the connection.
    const relay = createSmtpRelay(smtpConfig("plain", { port: 1 }), { timeouts: TEST_TIMEOUTS });
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [address("ok")] }, message());
    expect(outcomes[0]!.status).toBe("temporary");
    expect(outcomes[0]!.reply).toMatch(/^421 4\.4\.[02] Facteur: /);
  });

  it("refuses to send credentials in clear to a non-loopback host (temporary, nothing sent)", async () => {
    // The injected connect reaches the loopback sink while the configuration names a remote host.
    const relay = createSmtpRelay(
      smtpConfig("plain", { host: "smtp.example.net", username: sink.user, password: sink.password }),
      {
        timeouts: TEST_TIMEOUTS,
        connect: (_address, options) => connectSocket({ hostname: "127.0.0.1", port: sink.plainPort }, options),
      },
    );
    const a = address("ok");
    const outcomes = await relay.send({ mailFrom: FROM, rcptTo: [a] }, message());
    expect(outcomes[0]!.status).toBe("temporary");
    expect(outcomes[0]!.reply).toMatch(/^530 5\.7\.0 Facteur: not sending relay credentials without TLS/);
    expect(await received(a)).toHaveLength(0);
  });
});

describe("SMTP relay: message content and extensions", () => {
  it("dot-stuffing: body lines starting with '.' (and a lone '.') arrive intact; bare LF becomes CRLF", async () => {
    const a = address("ok");
    const body = ".leading dot\n.\n..two dots\nend\n.";
    const raw = new TextEncoder().encode(
      `From: s@facteur.test\nTo: a@example.test\nSubject: dots\nMessage-ID: <dots@facteur.test>\n\n${body}`,
    );
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [a] }, raw);
    expect(outcomes[0]!.status).toBe("sent");
    const stored = await received(a);
    expect(stored[0]!.raw).toBe(
      "From: s@facteur.test\r\nTo: a@example.test\r\nSubject: dots\r\nMessage-ID: <dots@facteur.test>\r\n\r\n.leading dot\r\n.\r\n..two dots\r\nend\r\n.\r\n",
    );
  });

  it("8-bit body: BODY=8BITMIME when offered, bytes unchanged", async () => {
    const a = address("ok");
    const raw = message({ body: "Ça marche, très bien — 日本語", headers: ["Content-Transfer-Encoding: 8bit"] });
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [a] }, raw);
    expect(outcomes[0]!.status).toBe("sent");
    const stored = await received(a);
    expect(stored[0]!.mailFromArgs.BODY).toBe("8BITMIME");
    expect(stored[0]!.mailFromArgs.SMTPUTF8).toBeUndefined();
    expect(bytesOf(stored[0]!)).toEqual(raw);
  });

  it("8-bit body to a server without 8BITMIME: permanent, with a clear reply, nothing sent", async () => {
    const a = address("ok");
    const raw = message({ body: "Ça ne passe pas" });
    const outcomes = await relayTo("bare").send({ mailFrom: FROM, rcptTo: [a] }, raw);
    expect(outcomes[0]!.status).toBe("permanent");
    expect(outcomes[0]!.reply).toMatch(/^554 5\.6\.3 Facteur: .*does not offer 8BITMIME \(RFC 6152\)/);
    expect(await received(a)).toHaveLength(0);
    expect((await attempts(a)).rcpt).toBe(0);
  });

  it("7-bit mail goes through the server without 8BITMIME", async () => {
    const a = address("ok");
    const outcomes = await relayTo("bare").send({ mailFrom: FROM, rcptTo: [a] }, message());
    expect(outcomes[0]!.status).toBe("sent");
  });

  it("SIZE: a message over the advertised limit is refused before MAIL FROM (permanent)", async () => {
    const a = address("ok");
    const raw = message({ body: "y".repeat(70_000) });
    const outcomes = await relayTo("bare").send({ mailFrom: FROM, rcptTo: [a] }, raw);
    expect(outcomes[0]!.status).toBe("permanent");
    expect(outcomes[0]!.reply).toMatch(
      /^552 5\.3\.4 Facteur: the message is \d+ bytes, over the relay's SIZE limit of 65536/,
    );
    expect((await attempts(a)).rcpt).toBe(0);
  });

  it("SMTPUTF8: a non-ASCII recipient is sent with SMTPUTF8 when offered", async () => {
    const a = address("ok", "exemple.test").replace(/^ok/, "ôk");
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [a] }, message());
    expect(outcomes[0]!.status).toBe("sent");
    const stored = await received(a);
    expect(stored[0]!.mailFromArgs.SMTPUTF8).toBe(true);
  });

  it("SMTPUTF8 missing: the non-ASCII recipient fails permanently, the ASCII one is delivered", async () => {
    const utf8 = address("ok").replace(/^ok/, "ôk");
    const ascii = address("ok");
    const outcomes = await relayTo("bare").send({ mailFrom: FROM, rcptTo: [utf8, ascii] }, message());
    expect(outcomes[0]!.status).toBe("permanent");
    expect(outcomes[0]!.reply).toMatch(/^553 5\.6\.7 /);
    expect(outcomes[1]!.status).toBe("sent");
  });

  it("an address that would inject a command is refused, never sent", async () => {
    const good = address("ok");
    const evil = `x@example.test>\r\nRCPT TO:<${address("ok")}`;
    const outcomes = await relayTo("plain").send({ mailFrom: FROM, rcptTo: [evil, good] }, message());
    expect(outcomes[0]!.status).toBe("permanent");
    expect(outcomes[0]!.reply).toMatch(/^501 5\.1\.3 /);
    expect(outcomes[1]!.status).toBe("sent");
    expect((await received(good))[0]!.rcptTo).toEqual([good]);
  });
});

import { connect as connectSocket } from "cloudflare:sockets";
