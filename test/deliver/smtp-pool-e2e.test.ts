/**
 * List fan-out through the consumer and the session pool: a job of 50 member copies (each with its
 * own VERP sender and header block) goes as 50 pipelined transactions on a few sessions, against
 * the real smtp-server sink through its recording front (test/servers/smtp-front.mjs).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enqueueDeliveryJobs, storeDeliveryBody } from "../../src/deliver/enqueue";
import { DEFAULT_SESSION_LIMITS } from "../../src/deliver/relays/smtp";
import { address, received, sink } from "../relays/sink";
import { ORIGINAL, rows, runJobs, testEnv, uid } from "./helpers";

async function frontDomain(front: keyof typeof sink.front): Promise<string> {
  const domain = `pool-${uid()}.test`;
  const url = `smtp://${sink.user}:${sink.password}@127.0.0.1:${sink.front[front]}`;
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO domains (name, enabled, relay_url, created_at, updated_at) VALUES (?1, 1, ?2, ?3, ?3)",
  )
    .bind(domain, url, now)
    .run();
  return domain;
}

async function sessionIds(rcpts: string[]): Promise<Set<number>> {
  const ids = new Set<number>();
  for (const rcpt of rcpts) {
    const response = await fetch(`${sink.controlUrl}/sessions?to=${encodeURIComponent(rcpt)}`);
    for (const s of ((await response.json()) as { sessions: { id: number }[] }).sessions) ids.add(s.id);
  }
  return ids;
}

async function fanOut(front: keyof typeof sink.front, members: number) {
  const e = testEnv();
  const domain = await frontDomain(front);
  const id = `m-${uid()}`;
  const r2Key = `test/${id}`;
  await storeDeliveryBody(e, r2Key, ORIGINAL.replace("<original-1@example.org>", `<${id}@example.org>`));
  const rcpts = Array.from({ length: members }, () => address("ok", "members.test"));
  await enqueueDeliveryJobs(e, {
    origin: "list",
    messageLogId: id,
    r2Key,
    mailFrom: `list-bounces@${domain}`,
    recipients: rcpts.map((rcpt, i) => ({
      rcpt,
      mailFrom: `list-bounces+${i}@${domain}`,
      prepend: `List-Unsubscribe: <https://${domain}/u/${i}>\r\n`,
    })),
    domain,
    senderAuthenticated: true,
  });
  const jobs = e.DELIVERY_QUEUE.jobs.splice(0);
  const run = await runJobs(jobs, e, { random: () => 0.5 });
  return { id, rcpts, jobs, run, domain };
}

describe("list fan-out through the session pool", () => {
  it("a job of 50 member copies: 50 transactions on at most the pool's sessions, each copy its own", async () => {
    const { id, rcpts, jobs, run, domain } = await fanOut("pipelining", 50);
    expect(jobs).toHaveLength(1);
    expect(run.result.explicitAcks).toEqual(run.ids);
    expect((await rows(id)).map((r) => r.status)).toEqual(rcpts.map(() => "sent"));
    const sessions = await sessionIds(rcpts);
    expect(sessions.size).toBeGreaterThanOrEqual(1);
    expect(sessions.size).toBeLessThanOrEqual(DEFAULT_SESSION_LIMITS.maxSessions);
    for (const [i, rcpt] of rcpts.entries()) {
      const copies = await received(rcpt);
      expect(copies).toHaveLength(1);
      expect(copies[0]!.mailFrom).toBe(`list-bounces+${i}@${domain}`);
      expect(copies[0]!.raw.startsWith(`List-Unsubscribe: <https://${domain}/u/${i}>\r\n`)).toBe(true);
    }
  });

  it("a relay that closes with 421 every 3 messages: the rest go on new sessions, nobody twice", async () => {
    const { id, rcpts, run } = await fanOut("tired", 20);
    expect(run.result.explicitAcks).toEqual(run.ids);
    expect((await rows(id)).map((r) => r.status)).toEqual(rcpts.map(() => "sent"));
    // At most 3 messages per session: at least 7 sessions; the job's concurrent sends may leave a
    // session or two less than full at the end.
    const sessions = (await sessionIds(rcpts)).size;
    expect(sessions).toBeGreaterThanOrEqual(Math.ceil(20 / 3));
    expect(sessions).toBeLessThanOrEqual(Math.ceil(20 / 3) + DEFAULT_SESSION_LIMITS.maxSessions - 1);
    for (const rcpt of rcpts) expect(await received(rcpt)).toHaveLength(1);
  });
});
