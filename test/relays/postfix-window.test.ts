// Pipelining across transactions against a real Postfix (test/servers/postfix.mjs): a job's member
// copies as back-to-back BDAT transactions in a few writes (RFC 2920 section 3.1, RFC 3030
// section 4.2). Postfix's own log and the recording front before its plain port are the witnesses.
import { describe, expect, inject, it } from "vitest";
import type { RecipientOutcome } from "../../src/deliver/relay";
import { createSmtpRelay } from "../../src/deliver/relays/smtp";
import { deliveriesTo, postfixLog } from "./postfix-log";
import { address, message, TEST_TIMEOUTS } from "./sink";

const provided = inject("postfix");
const unavailable = "unavailable" in provided ? provided.unavailable : undefined;
if (unavailable) console.warn(`\n!!! Postfix window tests SKIPPED: ${unavailable} !!!\n`);
const postfix = "unavailable" in provided ? undefined : provided;
const FROM = "bounces@facteur.test";

const { maillog, delivered } = postfixLog(() => postfix!.controlUrl, 150);

describe.skipIf(unavailable !== undefined)("pipelining across transactions against Postfix", () => {
  it("30 member copies: one session, many transactions per write, each copy's own outcome", async () => {
    const p = postfix!;
    const scoped = createSmtpRelay(
      {
        kind: "smtp",
        host: "127.0.0.1",
        port: p.plainPort,
        security: "none",
        heloName: "relay.facteur.test",
        username: p.user,
        password: p.password,
        sessions: { maxSessions: 1 },
      },
      { timeouts: TEST_TIMEOUTS },
    ).openScope();
    const rcpts = Array.from({ length: 30 }, () => address("ok"));
    // A refused member in the middle: its BDAT is refused, and the copies behind it still go.
    const refused = address("reject");
    const all = [...rcpts.slice(0, 15), refused, ...rcpts.slice(15)];
    const raw = message();
    const before = (await maillog()).split("\n").length;
    const reports = new Map<number, RecipientOutcome[]>();
    await scoped.sendMany!(
      all.map((rcpt) => ({
        envelope: { mailFrom: FROM, rcptTo: [rcpt] },
        raw,
        prefix: new TextEncoder().encode(`List-Unsubscribe: <https://x.test/u/${rcpt}>\r\n`),
      })),
      async (k, outcomes) => {
        reports.set(k, outcomes);
      },
    );
    await scoped.close();
    expect(all.map((_, k) => reports.get(k)![0]!.status)).toEqual(
      all.map((r) => (r === refused ? "permanent" : "sent")),
    );
    expect(reports.get(15)![0]!.reply).toMatch(/^550 5\.1\.1/);
    expect(scoped.stats).toEqual({ opened: 1, reused: 0 });
    const log = (await delivered(rcpts)).split("\n").slice(before).join("\n");
    for (const rcpt of rcpts) expect(deliveriesTo(log, rcpt)).toBe(1);
    // Postfix's session statistics: 31 transactions, RSET between them, no error limit tripped
    // (smtpd_hard_error_limit is 3 on this port).
    const stats = log.split("\n").find((l) => / mail=31 /.test(l) && l.includes("disconnect from")) ?? "";
    expect(stats).toMatch(/ rcpt=30\/31 /);
    expect(stats).toMatch(/ bdat=30\/31 /);
    expect(stats).toMatch(/ rset=30 /);
    expect(log).not.toMatch(/too many errors|improper command pipelining/);
    const reads = (await (await fetch(`${p.controlUrl}/reads`)).json()) as { connections: { reads: string[][] }[] };
    const mostMails = Math.max(
      ...reads.connections.flatMap((c) => c.reads).map((verbs) => verbs.filter((v) => v === "MAIL").length),
    );
    expect(mostMails).toBeGreaterThanOrEqual(10);
  });
});
