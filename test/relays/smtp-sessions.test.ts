// Session reuse, RFC 2920 pipelining, RFC 3030 BDAT, the 452 split and resuming after a 421,
// against the real smtp-server sink through its recording front (test/servers/smtp-front.mjs).
import { describe, expect, it } from "vitest";
import { ConnectionBudget } from "../../src/deliver/connection-budget";
import { RelayScope } from "../../src/deliver/relay-scope";
import { createSmtpRelay } from "../../src/deliver/relays/smtp";
import { address, bytesOf, type Front, frontConfig, message, received, sink, TEST_TIMEOUTS } from "./sink";

const FROM = "bounces@facteur.test";

interface SessionRecord {
  id: number;
  variant: string;
  verbs: string[];
  groups: { read: number; verbs: string[] }[];
  rcpts: string[];
  messages: number;
  bdat: number;
}

async function sessionsFor(rcpt: string): Promise<SessionRecord[]> {
  const response = await fetch(`${sink.controlUrl}/sessions?to=${encodeURIComponent(rcpt)}`);
  return ((await response.json()) as { sessions: SessionRecord[] }).sessions;
}

function relayTo(front: Front, sessions?: { maxSessions?: number; maxMessages?: number; idleMs?: number }) {
  return createSmtpRelay(frontConfig(front, sessions ? { sessions } : {}), { timeouts: TEST_TIMEOUTS });
}

describe("SMTP sessions that last", () => {
  it("many transactions on one session: AUTH once, MAIL right after the previous 250, QUIT at close", async () => {
    const scoped = relayTo("pipelining", { maxSessions: 1 }).openScope();
    const rcpts = Array.from({ length: 6 }, () => address("ok"));
    for (const rcpt of rcpts) {
      const [outcome] = await scoped.send({ mailFrom: FROM, rcptTo: [rcpt] }, message());
      expect(outcome!.status).toBe("sent");
    }
    await scoped.close();
    expect(scoped.stats).toEqual({ opened: 1, reused: 5 });
    const sessions = await sessionsFor(rcpts[0]!);
    expect(sessions).toHaveLength(1);
    const [session] = sessions;
    expect(session!.rcpts).toEqual(rcpts.map((r) => r.toLowerCase()));
    expect(session!.messages).toBe(6);
    expect(session!.verbs.filter((v) => v === "AUTH")).toHaveLength(1);
    expect(session!.verbs.filter((v) => v === "EHLO")).toHaveLength(1);
    // A completed transaction needs no RSET before the next MAIL.
    expect(session!.verbs).not.toContain("RSET");
    expect(session!.verbs.at(-1)).toBe("QUIT");
    for (const rcpt of rcpts) expect(await received(rcpt)).toHaveLength(1);
  });

  it("PIPELINING: MAIL, every RCPT and DATA arrive in one write; each RCPT reply is its recipient's outcome", async () => {
    const ok1 = address("ok");
    const gone = address("reject550");
    const busy = address("temp451");
    const ok2 = address("ok");
    const outcomes = await relayTo("pipelining").send({ mailFrom: FROM, rcptTo: [ok1, gone, busy, ok2] }, message());
    expect(outcomes.map((o) => o.status)).toEqual(["sent", "permanent", "temporary", "sent"]);
    expect(outcomes[1]!.reply).toBe(`550 5.1.1 <${gone}>: no such user`);
    expect(outcomes[2]!.reply).toBe(`451 4.3.0 <${busy}>: try again later`);
    const [session] = await sessionsFor(ok1);
    expect(session!.groups.map((g) => g.verbs)).toContainEqual(["MAIL", "RCPT", "RCPT", "RCPT", "RCPT", "DATA"]);
    expect((await received(ok1))[0]!.rcptTo).toEqual([ok1, ok2]);
  });

  it("without PIPELINING each command waits for its reply (one command per read)", async () => {
    const a = address("ok");
    const b = address("ok");
    const outcomes = await relayTo("lockstep").send({ mailFrom: FROM, rcptTo: [a, b] }, message());
    expect(outcomes.map((o) => o.status)).toEqual(["sent", "sent"]);
    const [session] = await sessionsFor(a);
    expect(session!.verbs.slice(-5)).toEqual(["MAIL", "RCPT", "RCPT", "DATA", "QUIT"]);
    for (const group of session!.groups) expect(group.verbs).toHaveLength(1);
  });

  it("a transaction left open (every RCPT refused) is cleared with RSET, pipelined before the next MAIL", async () => {
    const scoped = relayTo("pipelining", { maxSessions: 1 }).openScope();
    const gone = address("reject550");
    const next = address("ok");
    expect((await scoped.send({ mailFrom: FROM, rcptTo: [gone] }, message()))[0]!.status).toBe("permanent");
    expect((await scoped.send({ mailFrom: FROM, rcptTo: [next] }, message()))[0]!.status).toBe("sent");
    await scoped.close();
    const [session] = await sessionsFor(next);
    expect(session!.groups.map((g) => g.verbs)).toContainEqual(["RSET", "MAIL", "RCPT", "DATA"]);
    expect(await received(next)).toHaveLength(1);
  });
});

describe("CHUNKING (RFC 3030)", () => {
  it("BDAT when advertised: no dot-stuffing, exact bytes, the small message in the same flight as its envelope", async () => {
    const rcpt = address("ok");
    const raw = message({ body: ".leading dot\r\n.\r\n..two" });
    const outcomes = await relayTo("chunking").send({ mailFrom: FROM, rcptTo: [rcpt] }, raw);
    expect(outcomes[0]!.status).toBe("sent");
    const [session] = await sessionsFor(rcpt);
    expect(session!.bdat).toBe(1);
    expect(session!.verbs).not.toContain("DATA");
    expect(session!.groups.map((g) => g.verbs)).toContainEqual(["MAIL", "RCPT", "BDAT"]);
    expect(bytesOf((await received(rcpt))[0]!)).toEqual(raw);
  });

  it("a large message waits for the RCPT replies, then goes as one BDAT LAST", async () => {
    const rcpt = address("ok");
    const raw = message({ body: `${"x".repeat(998)}\r\n`.repeat(400) });
    const outcomes = await relayTo("chunking").send({ mailFrom: FROM, rcptTo: [rcpt] }, raw);
    expect(outcomes[0]!.status).toBe("sent");
    const [session] = await sessionsFor(rcpt);
    expect(session!.groups.map((g) => g.verbs)).toContainEqual(["MAIL", "RCPT"]);
    expect(session!.bdat).toBe(1);
    expect(bytesOf((await received(rcpt))[0]!)).toEqual(raw);
  });
});

describe("452 and 421", () => {
  it("452 4.5.3 too many recipients splits the transaction on the same session; the limit is kept", async () => {
    const rcpts = Array.from({ length: 7 }, () => address("max3"));
    const outcomes = await relayTo("pipelining").send({ mailFrom: FROM, rcptTo: rcpts }, message());
    expect(outcomes.map((o) => o.status)).toEqual(rcpts.map(() => "sent"));
    const sessions = await sessionsFor(rcpts[0]!);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.messages).toBe(3);
    // The first (pipelined) transaction sent all 7 RCPT and got 3 × 250 then 4 × 452; it learnt
    // the limit, so the next ones send 3 at most.
    expect(sessions[0]!.verbs.filter((v) => v === "RCPT")).toHaveLength(7 + 3 + 1);
    const stored = await Promise.all(rcpts.map((r) => received(r)));
    for (const copies of stored) expect(copies).toHaveLength(1);
    expect(stored.map((copies) => copies[0]!.rcptTo.length)).toEqual([3, 3, 3, 3, 3, 3, 1]);
  });

  it("a 421 mid-batch: the next sends go on a new session, nobody gets a copy twice", async () => {
    const scoped = relayTo("tired", { maxSessions: 1 }).openScope();
    const rcpts = Array.from({ length: 8 }, () => address("ok"));
    for (const rcpt of rcpts) {
      const [outcome] = await scoped.send({ mailFrom: FROM, rcptTo: [rcpt] }, message());
      expect(outcome!.status).toBe("sent");
    }
    await scoped.close();
    // 3 messages per connection, then 421: 3 + 3 + 2.
    expect(scoped.stats.opened).toBe(3);
    for (const rcpt of rcpts) expect(await received(rcpt)).toHaveLength(1);
  });

  it("a 421 on a fresh session is temporary for the recipients not yet accepted (retried later)", async () => {
    const flaky = address("flaky");
    const outcomes = await relayTo("pipelining").send({ mailFrom: FROM, rcptTo: [flaky] }, message());
    expect(outcomes[0]!.status).toBe("temporary");
    expect(outcomes[0]!.reply).toMatch(/^421 4\.4\.5/);
    expect(await received(flaky)).toHaveLength(0);
  });
});

describe("connection budget", () => {
  it("sends of one scope never hold more connections than the budget, and all complete", async () => {
    const budget = new ConnectionBudget(2);
    const scope = new RelayScope(budget);
    const relay = scope.use(relayTo("pipelining", { maxSessions: 6 }));
    let peak = 0;
    const rcpts = Array.from({ length: 12 }, () => address("ok"));
    await Promise.all(
      rcpts.map(async (rcpt) => {
        const outcome = relay.send({ mailFrom: FROM, rcptTo: [rcpt] }, message());
        peak = Math.max(peak, budget.inUse);
        expect((await outcome)[0]!.status).toBe("sent");
        peak = Math.max(peak, budget.inUse);
      }),
    );
    await scope.close();
    expect(peak).toBeLessThanOrEqual(2);
    expect(budget.inUse).toBe(0);
    const sessions = new Set((await Promise.all(rcpts.map((r) => sessionsFor(r)))).flat().map((s) => s.id));
    expect(sessions.size).toBe(2);
  });
});
