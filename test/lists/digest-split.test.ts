/**
 * Digests under a size cap, and their retention, through the Worker's entry points: posts by
 * email(), digests by scheduled(), fan-out and delivery by queue() to the real SMTP sink. A period
 * whose posts exceed the list's digest_max_bytes goes out as several digests, each under the cap
 * (a single post above it alone), each post in exactly one; a retried or overlapping run sends
 * nothing twice. The retention sweep removes old digests and their claimed posts and keeps recent
 * ones. Digests are read back with Python's email package (multipart/digest, RFC 2046 5.1.5).
 */
import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createWorker } from "../../src/index";
import { digestPostKey } from "../../src/lists/digest/keep-for-digest";
import { emailMessage } from "../helpers/email";
import { address, bytesOf, received } from "../relays/sink";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, deliverAll, type ListTestEnv, listDomain, listEnv, runFanout, uid } from "./helpers";

const zone: Zone = { "_dmarc.relaxed.test": { TXT: ["v=DMARC1; p=none"] } };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TUESDAY = Date.UTC(2026, 10, 24, 1);
const WEDNESDAY = Date.UTC(2026, 10, 25, 0, 15);
const CAP = 32 * 1024;

let clock = TUESDAY;
const worker = createWorker({ resolverFor: () => createZoneResolver(zone), now: () => clock });
let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

interface MimeNode {
  type: string;
  subject: string | null;
  message_id: string | null;
  parts: MimeNode[];
}

async function mimeTree(bytes: Uint8Array): Promise<MimeNode> {
  const response = await fetch(`${inject("mboxReader").url}mime`, { method: "POST", body: bytes });
  expect(response.status).toBe(200);
  return (await response.json()) as MimeNode;
}

/** A post of about `bodyBytes` bytes, at `at`. */
async function post(e: Env, list: string, n: number, bodyBytes: number, at: number) {
  clock = at;
  const line = `Line of post ${n} `.padEnd(70, "x");
  const body = Array.from({ length: Math.ceil(bodyBytes / 72) }, () => line).join("\r\n");
  const raw = [
    "Date: Tue, 24 Nov 2026 09:00:00 +0000",
    `Message-ID: <split-${n}-${list}>`,
    "From: Carol <carol@relaxed.test>",
    `To: ${list}`,
    `Subject: split topic ${n}`,
    "",
    body,
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

async function drain(e: ListTestEnv): Promise<void> {
  const { deliveryJobs } = await runFanout(e);
  await deliverAll(e, deliveryJobs);
}

async function setUp(withWeekly: boolean) {
  const team = `split-${uid()}@${domain}`;
  const daily = [address("daily"), address("daily")];
  // A weekly reader too: the posts' R2 copies then stay after the daily digests (a run that died
  // before recording its digest as queued has not released them either).
  const weekly = address("weekly");
  await createList({ address: team, name: "Busy", policy: "open", digestMaxBytes: CAP }, [
    ...[...daily, ...(withWeekly ? [weekly] : [])].map((a) => ({ address: a })),
  ]);
  await env.DB.prepare(
    "UPDATE list_members SET delivery_mode = CASE WHEN lookup = ?2 THEN 'digest_weekly' ELSE 'digest_daily' END WHERE list_address = ?1",
  )
    .bind(team, weekly.toLowerCase())
    .run();
  return { team, daily };
}

/** The posts (by Message-ID) in each digest a member received, in order. */
async function digestsOf(member: string) {
  const out: { subject: string | null; bytes: number; ids: string[] }[] = [];
  for (const mail of await received(member)) {
    const tree = await mimeTree(bytesOf(mail));
    expect(tree.type).toBe("multipart/digest");
    expect(tree.parts[0]!.type).toBe("text/plain");
    out.push({
      subject: tree.subject,
      bytes: bytesOf(mail).length,
      ids: tree.parts.slice(1).map((p) => p.parts[0]!.message_id ?? ""),
    });
  }
  // Arrival order is the relay's; the issue number is the digests' order.
  const numberOf = (d: { subject: string | null }) => Number(/number (\d+)$/.exec(d.subject ?? "")?.[1]);
  return out.sort((a, b) => numberOf(a) - numberOf(b));
}

// Posts 1-12 of about 4 KB, post 7 of about 48 KB (above the 32 KB cap on its own).
const SIZES = Array.from({ length: 12 }, (_, i) => (i + 1 === 7 ? 48 * 1024 : 4 * 1024));

describe("digests under a size cap", () => {
  it("a period above the cap goes out as several digests, each under it, each post in exactly one, nothing twice on retries", async () => {
    const { team, daily } = await setUp(true);
    const e = listEnv();
    for (const [i, size] of SIZES.entries()) await post(e, team, i + 1, size, TUESDAY + i * 60_000);
    await drain(e); // no member in "each" mode: nothing

    // Two runs at once (a retried tick while the first still runs): every post claimed by one part.
    await Promise.all([tick(e, WEDNESDAY), tick(e, WEDNESDAY)]);
    const parts = await env.DB.prepare(
      "SELECT part, number, posts, state FROM list_digests WHERE list_address = ? AND mode = 'digest_daily' ORDER BY part",
    )
      .bind(team)
      .all<{ part: number; number: number; posts: number; state: string }>();
    expect(parts.results.length).toBeGreaterThan(2);
    expect(parts.results.map((p) => p.part)).toEqual(parts.results.map((_, i) => i + 1));
    expect(parts.results.map((p) => p.number)).toEqual(parts.results.map((_, i) => i + 1));
    expect(parts.results.every((p) => p.posts > 0 && p.state === "queued")).toBe(true);
    const claimed = await env.DB.prepare(
      "SELECT count(*) AS n, count(DISTINCT post_id) AS distinct_posts, count(digest_id) AS claimed FROM digest_posts WHERE list_address = ? AND mode = 'digest_daily'",
    )
      .bind(team)
      .first<{ n: number; distinct_posts: number; claimed: number }>();
    expect(claimed).toEqual({ n: 12, distinct_posts: 12, claimed: 12 });
    await drain(e);

    // A run that stopped after queueing the pages but before recording it: queued again, and the
    // delivery rows (unique per body and recipient) send nobody a second copy.
    await env.DB.prepare(
      "UPDATE list_digests SET state = 'claimed', lease_until = NULL WHERE list_address = ? AND mode = 'digest_daily'",
    )
      .bind(team)
      .run();
    await tick(e, WEDNESDAY + HOUR);
    expect(e.FANOUT_QUEUE.jobs.length).toBeGreaterThan(0);
    await drain(e);
    await tick(e, WEDNESDAY + 2 * HOUR);
    expect(e.FANOUT_QUEUE.jobs).toHaveLength(0);

    const expected = SIZES.map((_, i) => `<split-${i + 1}-${team}>`);
    for (const member of daily) {
      const digests = await digestsOf(member);
      expect(digests).toHaveLength(parts.results.length);
      expect(digests.map((d) => d.subject)).toEqual(digests.map((_, i) => `Busy digest, number ${i + 1}`));
      // Each post in exactly one digest, in order.
      expect(digests.flatMap((d) => d.ids)).toEqual(expected);
      for (const digest of digests) {
        if (digest.ids.includes(`<split-7-${team}>`)) {
          expect(digest.ids).toEqual([`<split-7-${team}>`]); // above the cap on its own: alone
        } else {
          expect(digest.bytes).toBeLessThanOrEqual(CAP);
        }
      }
      // The cap is filled, not one post a digest: some digest carries several posts.
      expect(Math.max(...digests.map((d) => d.ids.length))).toBeGreaterThan(2);
    }
  });

  it("the retention sweep removes queued digests and their posts past the retention period, keeps recent ones", async () => {
    const { team } = await setUp(false);
    const e = listEnv();
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) await post(e, team, n, 4 * 1024, TUESDAY + n * 60_000);
    await tick(e, WEDNESDAY);
    await drain(e);
    const old = await env.DB.prepare("SELECT id FROM list_digests WHERE list_address = ? ORDER BY part")
      .bind(team)
      .all<{ id: string }>();
    expect(old.results.length).toBeGreaterThan(1);
    // A run that stopped before releasing a post's R2 copy: the sweep removes it with its row.
    const leftover = digestPostKey(team, "leftover-post");
    await env.MAIL.put(leftover, "From: x\r\n\r\nleft over\r\n");
    await env.DB.prepare(
      "INSERT INTO digest_posts (list_address, mode, post_id, r2_key, created_at, digest_id, size) VALUES (?, 'digest_daily', 'leftover-post', ?, ?, ?, 20)",
    )
      .bind(team, leftover, TUESDAY, old.results[0]!.id)
      .run();

    // Twenty days later, one more post and its digest: recent.
    const later = Date.UTC(2026, 11, 15, 10);
    await post(e, team, 11, 1024, later);
    await tick(e, later + DAY);
    await drain(e);

    // 31 days after Wednesday's digests (LOG_RETENTION_DAYS default 30): they go, the recent one stays.
    await tick(e, WEDNESDAY + 31 * DAY);
    const digests = await env.DB.prepare("SELECT id, posts FROM list_digests WHERE list_address = ?")
      .bind(team)
      .all<{ id: string; posts: number }>();
    expect(digests.results).toHaveLength(1);
    expect(old.results.map((r) => r.id)).not.toContain(digests.results[0]!.id);
    const posts = await env.DB.prepare("SELECT post_id, digest_id FROM digest_posts WHERE list_address = ?")
      .bind(team)
      .all<{ post_id: string; digest_id: string }>();
    expect(posts.results).toHaveLength(1);
    expect(posts.results[0]!.digest_id).toBe(digests.results[0]!.id);
    expect(await env.MAIL.head(leftover)).toBeNull();

    // The next digest's number continues after the kept one.
    await post(e, team, 12, 1024, WEDNESDAY + 31 * DAY);
    await tick(e, WEDNESDAY + 32 * DAY);
    const numbers = await env.DB.prepare("SELECT number FROM list_digests WHERE list_address = ? ORDER BY number")
      .bind(team)
      .all<{ number: number }>();
    expect(numbers.results.map((r) => r.number)).toEqual([old.results.length + 1, old.results.length + 2]);
  });

  it("a digest not yet queued is kept whatever its age", async () => {
    const { team } = await setUp(false);
    const e = listEnv();
    await post(e, team, 1, 1024, TUESDAY);
    await tick(e, WEDNESDAY);
    await drain(e);
    await post(e, team, 2, 1024, TUESDAY + 2 * DAY);
    await tick(e, TUESDAY + 3 * DAY);
    await drain(e);
    // The first digest as a run that died after claiming left it, 40 days ago.
    await env.DB.prepare(
      "UPDATE list_digests SET state = 'claimed', lease_until = ?2 WHERE list_address = ?1 AND number = 1",
    )
      .bind(team, WEDNESDAY + 60 * DAY)
      .run();
    await tick(e, WEDNESDAY + 40 * DAY);
    const kept = await env.DB.prepare(
      "SELECT d.number, count(p.post_id) AS posts FROM list_digests d LEFT JOIN digest_posts p ON p.digest_id = d.id WHERE d.list_address = ? GROUP BY d.id ORDER BY d.number",
    )
      .bind(team)
      .all<{ number: number; posts: number }>();
    // Number 1 keeps its row and its post (a later run composes it from them); number 2, queued
    // 37 days ago, loses its post but stays: the next digest is number 3.
    expect(kept.results).toEqual([
      { number: 1, posts: 1 },
      { number: 2, posts: 0 },
    ]);
  });

  it("digest_max_bytes is a list setting of the API: out of range is a 400 naming the field", async () => {
    const { team } = await setUp(false);
    const api = (method: string, body?: unknown) =>
      worker.fetch(
        new Request(`https://facteur.test/api/v1/lists/${team}`, {
          method,
          headers: {
            authorization: "Bearer test-admin-token",
            "cf-connecting-ip": "203.0.113.10",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
        env,
        createExecutionContext(),
      );
    const bad = await api("PATCH", { digest_max_bytes: 1000 });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("digest_max_bytes");
    const ok = await api("PATCH", { digest_max_bytes: 64 * 1024 });
    expect(ok.status).toBe(200);
    expect(((await (await api("GET")).json()) as { digest_max_bytes: number }).digest_max_bytes).toBe(64 * 1024);
  });
});
