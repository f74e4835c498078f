// Facteur's SMTP client against a real Postfix (test/servers/postfix.mjs): STARTTLS + SASL
// (Dovecot), many transactions per session, pipelining on the wire, BDAT, the 452 split, a 421
// mid-session and Postfix's hard error limit. Postfix's own log (maillog_file) is the witness.
import { describe, expect, inject, it } from "vitest";
import { createSmtpRelay, type SessionLimits } from "../../src/deliver/relays/smtp";
import { deliveriesTo, postfixLog } from "./postfix-log";
import { address, message, TEST_TIMEOUTS } from "./sink";

const provided = inject("postfix");
const unavailable = "unavailable" in provided ? provided.unavailable : undefined;
if (unavailable) console.warn(`\n!!! Postfix relay tests SKIPPED: ${unavailable} !!!\n`);
const postfix = "unavailable" in provided ? undefined : provided;
const FROM = "bounces@facteur.test";

function relay(port: "submission" | "plain" | "nochunking", sessions?: Partial<SessionLimits>) {
  const p = postfix!;
  const number = { submission: p.submissionPort, plain: p.plainPort, nochunking: p.nochunkingPort }[port];
  return createSmtpRelay(
    {
      kind: "smtp",
      host: port === "submission" ? "localhost" : "127.0.0.1",
      port: number,
      security: port === "submission" ? "starttls" : "none",
      heloName: "relay.facteur.test",
      username: p.user,
      password: p.password,
      ...(sessions ? { sessions } : {}),
    },
    { timeouts: TEST_TIMEOUTS },
  );
}

const { maillog, delivered } = postfixLog(() => postfix!.controlUrl, 100);

/** The smtpd "disconnect" statistics line of the session that queued the message sent to `rcpt`. */
function sessionStats(log: string, rcpt: string): string {
  const lines = log.split("\n");
  const queueId = lines.find((l) => l.includes(`to=<${rcpt}>, relay=none`))?.match(/: ([0-9A-F]+): to=/)?.[1];
  const clientAt = lines.findIndex((l) => queueId && l.includes(`${queueId}: client=`));
  const pid = lines[clientAt]?.match(/smtpd\[(\d+)\]/)?.[1];
  return lines.slice(clientAt).find((l) => l.includes(`smtpd[${pid}]: disconnect from`)) ?? "";
}

describe.skipIf(unavailable !== undefined)("SMTP client against Postfix", () => {
  it("STARTTLS + SASL (Dovecot), then many transactions on one session, each with CHUNKING", async () => {
    const scoped = relay("submission", { maxSessions: 1 }).openScope();
    const rcpts = Array.from({ length: 5 }, () => address("ok"));
    for (const rcpt of rcpts) {
      const [outcome] = await scoped.send({ mailFrom: FROM, rcptTo: [rcpt] }, message());
      expect(outcome!.status, outcome!.reply).toBe("sent");
    }
    await scoped.close();
    const log = await delivered(rcpts);
    for (const rcpt of rcpts) expect(deliveriesTo(log, rcpt)).toBe(1);
    expect(sessionStats(log, rcpts[0]!)).toMatch(/ ehlo=2 starttls=1 auth=1 mail=5 rcpt=5 bdat=5 quit=1 commands=20$/);
    expect(log).toContain("sasl_method=PLAIN, sasl_username=relay-user");
  });

  it("pipelining on the wire: MAIL, every RCPT and BDAT (with the message) in one write", async () => {
    const rcpts = [address("ok"), address("ok"), address("ok")];
    const outcomes = await relay("plain").send({ mailFrom: FROM, rcptTo: rcpts }, message());
    expect(outcomes.map((o) => o.status)).toEqual(["sent", "sent", "sent"]);
    const log = await delivered(rcpts);
    expect(sessionStats(log, rcpts[0]!)).toMatch(/ mail=1 rcpt=3 bdat=1 quit=1/);
    const reads = (await (await fetch(`${postfix!.controlUrl}/reads`)).json()) as {
      connections: { reads: string[][] }[];
    };
    expect(reads.connections.flatMap((c) => c.reads)).toContainEqual(["MAIL", "RCPT", "RCPT", "RCPT", "BDAT"]);
  });

  it("without CHUNKING in EHLO, DATA (dot-stuffed) instead of BDAT", async () => {
    const rcpt = address("ok");
    const raw = message({ body: ".a dot line\r\n.\r\n" });
    const [outcome] = await relay("nochunking").send({ mailFrom: FROM, rcptTo: [rcpt] }, raw);
    expect(outcome!.status).toBe("sent");
    const log = await delivered([rcpt]);
    expect(sessionStats(log, rcpt)).toMatch(/ mail=1 rcpt=1 data=1 quit=1/);
  });

  it("452 4.5.3 too many recipients (smtpd_recipient_limit = 3) splits the transaction", async () => {
    const rcpts = Array.from({ length: 7 }, () => address("ok"));
    const outcomes = await relay("plain").send({ mailFrom: FROM, rcptTo: rcpts }, message());
    expect(outcomes.map((o) => o.status)).toEqual(rcpts.map(() => "sent"));
    const log = await delivered(rcpts);
    for (const rcpt of rcpts) expect(deliveriesTo(log, rcpt)).toBe(1);
    // One session: 7 pipelined RCPT (3 accepted, 4 × 452), then 3, then 1: 11 RCPT in three
    // transactions. Postfix does not count its 452 as a client error.
    expect(sessionStats(log, rcpts[0]!)).toMatch(/ ehlo=1 auth=1 mail=3 rcpt=11 bdat=3 quit=1 commands=20$/);
  });

  it("a 421 mid-session (hard error limit reached): the rest go on a new session, nobody twice", async () => {
    const scoped = relay("plain", { maxSessions: 1, maxErrors: 100 }).openScope();
    const refused = [address("reject"), address("reject")];
    const first = await scoped.send({ mailFrom: FROM, rcptTo: refused }, message());
    expect(first.map((o) => o.status)).toEqual(["permanent", "permanent"]);
    expect(first[0]!.reply).toMatch(/^550 5\.1\.1/);
    const rest = [address("ok"), address("ok")];
    const second = await scoped.send({ mailFrom: FROM, rcptTo: rest }, message());
    expect(second.map((o) => o.status)).toEqual(["sent", "sent"]);
    await scoped.close();
    expect(scoped.stats).toEqual({ opened: 2, reused: 1 });
    const log = await delivered(rest);
    expect(log).toMatch(/too many errors/);
    for (const rcpt of rest) expect(deliveriesTo(log, rcpt)).toBe(1);
  });

  it("refused recipients across a long session never trip smtpd_hard_error_limit (3 here)", async () => {
    const scoped = relay("plain", { maxSessions: 1, maxErrors: 2 }).openScope();
    const accepted: string[] = [];
    const before = (await maillog()).split("\n").length;
    for (let i = 0; i < 4; i++) {
      const ok = address("ok");
      accepted.push(ok);
      const outcomes = await scoped.send({ mailFrom: FROM, rcptTo: [ok, address("reject")] }, message());
      expect(outcomes.map((o) => o.status)).toEqual(["sent", "permanent"]);
    }
    await scoped.close();
    const log = await delivered(accepted);
    expect(log.split("\n").slice(before).join("\n")).not.toMatch(/too many errors/);
    for (const rcpt of accepted) expect(deliveriesTo(log, rcpt)).toBe(1);
    // Two refusals per session, then a fresh one: 4 transactions on 2 sessions.
    expect(scoped.stats.opened).toBe(2);
  });
});
