// Pipelining across transactions (RFC 2920 section 3.1 with RFC 3030 BDAT): many member copies
// in a few socket writes, against the real smtp-server sink through its recording front
// (test/servers/smtp-front.mjs), which speaks CHUNKING and records what each read carried.
import { connect } from "cloudflare:sockets";
import { describe, expect, it } from "vitest";
import type { RecipientOutcome } from "../../src/deliver/relay";
import { createSmtpRelay } from "../../src/deliver/relays/smtp";
import type { ConnectFn } from "../../src/deliver/relays/smtp/connection";
import { address, bytesOf, type Front, frontConfig, message, received, sink, TEST_TIMEOUTS } from "./sink";

const FROM = "bounces@facteur.test";

interface SessionRecord {
  verbs: string[];
  groups: { read: number; verbs: string[] }[];
  messages: number;
  bdat: number;
}

async function sessionsFor(rcpt: string): Promise<SessionRecord[]> {
  const response = await fetch(`${sink.controlUrl}/sessions?to=${encodeURIComponent(rcpt)}`);
  return ((await response.json()) as { sessions: SessionRecord[] }).sessions;
}

/** A socket double around the real socket: counts the writes the relay makes (plain TCP only). */
function countingConnect(count: { writes: number }): ConnectFn {
  return ((address: SocketAddress | string, options?: SocketOptions) => {
    const socket = connect(address, options);
    const inner = socket.writable.getWriter();
    const writable = new WritableStream<Uint8Array>({
      write(chunk) {
        count.writes += 1;
        return inner.write(chunk);
      },
      close: () => inner.close(),
    });
    return {
      readable: socket.readable,
      writable,
      opened: socket.opened,
      closed: socket.closed,
      close: () => socket.close(),
      startTls: () => {
        throw new Error("not in this test");
      },
    } as unknown as Socket;
  }) as ConnectFn;
}

function relayTo(front: Front, count?: { writes: number }) {
  return createSmtpRelay(frontConfig(front, { sessions: { maxSessions: 1 } }), {
    timeouts: TEST_TIMEOUTS,
    ...(count ? { connect: countingConnect(count) } : {}),
  });
}

/** One copy per recipient, each with its own header block, as a list's fan-out makes them. */
async function sendCopies(front: Front, rcpts: string[], count?: { writes: number }) {
  const scoped = relayTo(front, count).openScope();
  const raw = message({ body: ".a leading dot stays as it is with BDAT" });
  const prefix = (rcpt: string) => new TextEncoder().encode(`List-Unsubscribe: <https://x.test/u/${rcpt}>\r\n`);
  const reports: [number, RecipientOutcome[]][] = [];
  await scoped.sendMany!(
    rcpts.map((rcpt) => ({ envelope: { mailFrom: FROM, rcptTo: [rcpt] }, raw, prefix: prefix(rcpt) })),
    async (k, outcomes) => {
      reports.push([k, outcomes]);
    },
  );
  await scoped.close();
  const byIndex = new Map(reports);
  expect(reports).toHaveLength(rcpts.length);
  return { stats: scoped.stats, statuses: rcpts.map((_, k) => byIndex.get(k)![0]!.status), byIndex, raw, prefix };
}

const mailsPerRead = (session: SessionRecord) => session.groups.map((g) => g.verbs.filter((v) => v === "MAIL").length);

describe("pipelining across transactions (PIPELINING + CHUNKING)", () => {
  it("50 member copies go in a few large writes on one session, each reply matched to its copy", async () => {
    const rcpts = Array.from({ length: 50 }, () => address("ok"));
    const count = { writes: 0 };
    const { stats, statuses, raw, prefix } = await sendCopies("chunking", rcpts, count);
    expect(statuses).toEqual(rcpts.map(() => "sent"));
    expect(stats).toEqual({ opened: 1, reused: 0 });
    const [session] = await sessionsFor(rcpts[0]!);
    expect(session!.messages).toBe(50);
    expect(session!.bdat).toBe(50);
    // RSET between the pipelined transactions (window.ts), none before the first.
    expect(session!.verbs.filter((v) => v === "RSET")).toHaveLength(49);
    expect(session!.verbs.indexOf("RSET")).toBeGreaterThan(session!.verbs.indexOf("BDAT"));
    // EHLO, AUTH, the window (100 KB in writes of about 64 KiB), QUIT: far fewer than 50 writes.
    expect(count.writes).toBeLessThanOrEqual(8);
    // The server read many transactions in one read.
    expect(Math.max(...mailsPerRead(session!))).toBeGreaterThanOrEqual(10);
    for (const rcpt of rcpts) {
      const copies = await received(rcpt);
      expect(copies).toHaveLength(1);
      const expected = new Uint8Array([...prefix(rcpt), ...raw]);
      expect(bytesOf(copies[0]!)).toEqual(expected);
    }
  });

  it("a refused recipient mid-window is that copy's outcome; the copies behind its refused BDAT are sent once, after RSET", async () => {
    const rcpts = [address("ok"), address("ok"), address("reject550"), address("ok"), address("ok")];
    const { statuses, byIndex } = await sendCopies("chunking", rcpts);
    expect(statuses).toEqual(["sent", "sent", "permanent", "sent", "sent"]);
    expect(byIndex.get(2)![0]!.reply).toBe(`550 5.1.1 <${rcpts[2]}>: no such user`);
    for (const rcpt of [rcpts[0]!, rcpts[1]!, rcpts[3]!, rcpts[4]!]) expect(await received(rcpt)).toHaveLength(1);
  });

  it("without CHUNKING, DATA still ends every group: one transaction per round trip", async () => {
    const rcpts = Array.from({ length: 6 }, () => address("ok"));
    const { statuses } = await sendCopies("pipelining", rcpts);
    expect(statuses).toEqual(rcpts.map(() => "sent"));
    const [session] = await sessionsFor(rcpts[0]!);
    expect(Math.max(...mailsPerRead(session!))).toBe(1);
    expect(session!.messages).toBe(6);
  });

  it("a 421 mid-window: only the copies without a final 250 go again, on a new session", async () => {
    const rcpts = Array.from({ length: 8 }, () => address("ok"));
    const { stats, statuses } = await sendCopies("chunkingTired", rcpts);
    expect(statuses).toEqual(rcpts.map(() => "sent"));
    // 3 messages per connection, then 421 at the 4th MAIL of the window: 3 + 3 + 2.
    expect(stats.opened).toBe(3);
    for (const rcpt of rcpts) expect(await received(rcpt)).toHaveLength(1);
    // The first session read the window pipelined (several MAILs in one read) before its 421.
    const [first] = await sessionsFor(rcpts[0]!);
    expect(first!.messages).toBe(3);
    expect(Math.max(...mailsPerRead(first!))).toBeGreaterThanOrEqual(2);
  });

  it("a connection dropped mid-window after a chunk was written: the unfinished copies go again, the 250s do not", async () => {
    const rcpts = Array.from({ length: 8 }, () => address("ok"));
    const { stats, statuses } = await sendCopies("chunkingDrop", rcpts);
    expect(statuses).toEqual(rcpts.map(() => "sent"));
    expect(stats.opened).toBe(3);
    for (const rcpt of rcpts) expect(await received(rcpt)).toHaveLength(1);
    const first = await sessionsFor(rcpts[0]!);
    expect(first).toHaveLength(1);
    expect(first[0]!.messages).toBe(3);
    // The 4th copy's chunk reached the first session, which dropped it; it went again once.
    expect(await sessionsFor(rcpts[3]!)).toHaveLength(2);
  });
});
