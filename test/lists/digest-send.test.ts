/**
 * Digests end to end, through the Worker's entry points: posts arrive by email(), scheduled()
 * claims and composes the digest, queue() runs its fan-out pages and delivery to the real SMTP
 * sink. The digest is read back with Python's email package (multipart/digest, RFC 2046 section
 * 5.1.5) and its DKIM signature checked by mailauth against the declared zone.
 */
import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { authenticate } from "../../src/authenticate";
import { createWorker } from "../../src/index";
import { verifyUnsubscribeToken } from "../../src/lists/unsubscribe-url";
import { emailMessage } from "../helpers/email";
import { address, bytesOf, received } from "../relays/sink";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, deliverAll, type ListTestEnv, listDomain, listEnv, runFanout, uid } from "./helpers";

const zone: Zone = { "_dmarc.relaxed.test": { TXT: ["v=DMARC1; p=none"] } };
const HOUR = 3_600_000;
// Tuesday 24 November 2026, 10:00 UTC: the posts' day. The daily digest is due from Wednesday
// 00:00 UTC, the weekly one from Monday 30 November 00:00 UTC.
const TUESDAY = Date.UTC(2026, 10, 24, 10);
const WEDNESDAY = Date.UTC(2026, 10, 25, 0, 15);
const NEXT_MONDAY = Date.UTC(2026, 10, 30, 0, 15);

let clock = TUESDAY;
const worker = createWorker({ resolverFor: () => createZoneResolver(zone), now: () => clock });
let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

interface MimeNode {
  type: string;
  default: string;
  subject: string | null;
  message_id: string | null;
  text?: string;
  parts: MimeNode[];
}

async function mimeTree(bytes: Uint8Array): Promise<MimeNode> {
  const response = await fetch(`${inject("mboxReader").url}mime`, { method: "POST", body: bytes });
  expect(response.status).toBe(200);
  return (await response.json()) as MimeNode;
}

async function post(e: Env, list: string, n: number, tag: string) {
  clock = TUESDAY + n * HOUR;
  const raw = [
    "Date: Tue, 24 Nov 2026 09:00:00 +0000",
    `Message-ID: <post-${n}-${tag}@relaxed.test>`,
    "From: Carol <carol@relaxed.test>",
    `To: ${list}`,
    `Subject: topic number ${n}`,
    "",
    `Body of post ${n}.`,
    "",
  ].join("\r\n");
  const captured = emailMessage(raw, { from: "carol@relaxed.test", to: list });
  await worker.email(captured.message, e, {} as ExecutionContext);
  expect(captured.rejected).toBeUndefined();
}

async function tick(e: Env, at: number) {
  await worker.scheduled(
    createScheduledController({ scheduledTime: at, cron: "*/15 * * * *" }),
    e,
    createExecutionContext(),
  );
}

/** Runs every queued fan-out page and delivers what it queued; returns the recipients. */
async function drain(e: ListTestEnv): Promise<string[]> {
  const { deliveryJobs } = await runFanout(e);
  await deliverAll(e, deliveryJobs);
  return deliveryJobs.flatMap((job) => job.recipients.map((r) => r.rcpt)).sort();
}

async function setUp() {
  const team = `digest-${uid()}@${domain}`;
  const each = address("each");
  const daily = [address("daily"), address("daily")];
  const weekly = address("weekly");
  await createList({ address: team, name: "Team", policy: "open" }, [
    { address: each },
    ...daily.map((a) => ({ address: a })),
    { address: weekly },
  ]);
  await env.DB.prepare(
    `UPDATE list_members SET delivery_mode = CASE WHEN lookup = ?2 THEN 'digest_weekly' ELSE 'digest_daily' END
      WHERE list_address = ?1 AND lookup IN (?2, ?3, ?4)`,
  )
    .bind(team, weekly.toLowerCase(), daily[0]!.toLowerCase(), daily[1]!.toLowerCase())
    .run();
  return { team, each, daily, weekly };
}

describe("digests", () => {
  it("a daily digest of three posts arrives as multipart/digest with the three inside; digest members get no single posts", async () => {
    const { team, each, daily, weekly } = await setUp();
    const e = listEnv();
    for (const n of [1, 2, 3]) await post(e, team, n, team);
    // Per-post fan-out: only the member in "each" mode.
    expect(await drain(e)).toEqual([each, each, each].sort());

    // Tuesday's posts are not due on Tuesday.
    await tick(e, TUESDAY + 6 * HOUR);
    expect(e.FANOUT_QUEUE.jobs).toHaveLength(0);

    await tick(e, WEDNESDAY);
    expect(e.FANOUT_QUEUE.jobs.map((j) => j.mode)).toEqual(["digest_daily"]);
    expect(await drain(e)).toEqual([...daily].sort());
    expect(await received(weekly)).toHaveLength(0);
    expect(await received(each)).toHaveLength(3);

    for (const member of daily) {
      const got = await received(member);
      expect(got).toHaveLength(1); // the digest, and not one of the posts
      const digest = got[0]!;
      expect(digest.mailFrom).toMatch(/-bounces\+/);
      const tree = await mimeTree(bytesOf(digest));
      expect(tree.type).toBe("multipart/digest");
      expect(tree.subject).toBe("Team digest, number 1");
      expect(tree.parts.map((p) => p.type)).toEqual([
        "text/plain",
        "message/rfc822",
        "message/rfc822",
        "message/rfc822",
      ]);
      const toc = tree.parts[0]!.text ?? "";
      for (const n of [1, 2, 3]) expect(toc).toContain(`topic number ${n}`);
      const inside = tree.parts.slice(1).map((p) => p.parts[0]!);
      expect(inside.map((m) => m.message_id)).toEqual([1, 2, 3].map((n) => `<post-${n}-${team}@relaxed.test>`));
      expect(inside.map((m) => m.subject)).toEqual(["topic number 1", "topic number 2", "topic number 3"]);
      // The posts inside carry no member's unsubscribe URL; the digest carries this member's.
      expect(digest.raw.split("Content-Type: message/rfc822")[1]).not.toMatch(/unsubscribe\//);
      const unsub = /^List-Unsubscribe: <https:\/\/lists\.facteur\.test\/lists\/unsubscribe\/([^>]+)>/m.exec(
        digest.raw,
      );
      expect(verifyUnsubscribeToken(env.LIST_SECRET, unsub![1]!)).toEqual({
        list: team.toLowerCase(),
        member: member.toLowerCase(),
      });
      expect(digest.raw).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
      expect(digest.raw).toContain(`List-Id: "Team" <`);
      // DKIM d = list domain, covering the one-click fields (RFC 8058 section 4); From is the list.
      const auth = await authenticate(bytesOf(digest), {
        resolver: createZoneResolver(zone),
        authservId: "mx.member.test",
        mailFrom: digest.mailFrom,
        topReceived: undefined,
        trustedReceivers: null,
      });
      expect(auth.dkim.signatures.find((s) => s.domain === domain)?.result).toBe("pass");
      expect(auth.dmarc.result).toBe("pass");
      const h = /^DKIM-Signature:[\s\S]*?h=([^;]+)/m.exec(digest.raw)![1]!.replace(/\s+/g, "").toLowerCase();
      expect(h.split(":")).toEqual(expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post", "from"]));
    }

    // The weekly member gets the same three posts once, the following Monday.
    await tick(e, NEXT_MONDAY);
    expect(await drain(e)).toEqual([weekly]);
    const weeklyTree = await mimeTree(bytesOf((await received(weekly))[0]!));
    expect(weeklyTree.parts.slice(1).map((p) => p.parts[0]!.subject)).toEqual([
      "topic number 1",
      "topic number 2",
      "topic number 3",
    ]);
    // Once both digests are out, the posts' digest copies are released.
    const left = await env.MAIL.list({ prefix: `digest/posts/${team.toLowerCase()}/` });
    expect(left.objects).toHaveLength(0);
  });

  it("a retried or overlapping run sends nothing twice, and a post goes into exactly one digest", async () => {
    const { team, daily } = await setUp();
    const e = listEnv();
    for (const n of [1, 2]) await post(e, team, n, team);
    await drain(e);

    // Two runs at once (a cron tick retried while the first still runs): one digest.
    await Promise.all([tick(e, WEDNESDAY), tick(e, WEDNESDAY)]);
    const digests = await env.DB.prepare("SELECT id, posts, state FROM list_digests WHERE list_address = ?")
      .bind(team)
      .all<{ id: string; posts: number; state: string }>();
    expect(digests.results.filter((d) => d.posts > 0)).toHaveLength(1);
    const claimed = await env.DB.prepare(
      "SELECT count(DISTINCT digest_id) AS digests, count(*) AS posts FROM digest_posts WHERE list_address = ? AND mode = 'digest_daily'",
    )
      .bind(team)
      .first<{ digests: number; posts: number }>();
    expect(claimed).toEqual({ digests: 1, posts: 2 });
    expect(await drain(e)).toEqual([...daily].sort());

    // The same tick again: nothing new.
    await tick(e, WEDNESDAY + HOUR);
    expect(e.FANOUT_QUEUE.jobs).toHaveLength(0);

    // A run that stopped after queueing the pages but before recording it: the next run queues
    // the digest again, and the delivery rows (unique per body and recipient) send nothing twice.
    await env.DB.prepare("UPDATE list_digests SET state = 'claimed' WHERE list_address = ?").bind(team).run();
    await tick(e, WEDNESDAY + 2 * HOUR);
    expect(e.FANOUT_QUEUE.jobs.length).toBeGreaterThan(0);
    await drain(e);
    for (const member of daily) expect(await received(member)).toHaveLength(1);

    // A post after the claim waits for the next day's digest, alone.
    await post(e, team, 30, team); // Wednesday 16:00 UTC
    await drain(e);
    await tick(e, Date.UTC(2026, 10, 26, 0, 15));
    await drain(e);
    for (const member of daily) {
      const got = await received(member);
      expect(got).toHaveLength(2);
      const second = await mimeTree(bytesOf(got[1]!));
      expect(second.subject).toBe("Team digest, number 2");
      expect(second.parts.slice(1).map((p) => p.parts[0]!.subject)).toEqual(["topic number 30"]);
    }
  });
});
