/**
 * Issue 10 item 17 (unbounded R2 growth), through email(), fetch() and scheduled():
 * - strangers could have any number of 25 MiB posts held: over the list's held-storage cap a
 *   post from anyone but an authenticated member is refused with 552 5.2.2, and an authenticated
 *   member's post is still held;
 * - a post to a list with no recipients kept its body in R2 for ever: it is deleted at once, and
 *   a sweep deletes old list bodies that no delivery row names.
 */
import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { MAX_HELD_BYTES_PER_LIST } from "../../src/lists/held-storage";
import listPostModerated from "../fixtures/lists/list-post-moderated.eml?raw";
import listPostNonmember from "../fixtures/lists/list-post-nonmember.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, listDomain, listEnv, uid } from "./helpers";

const author = testKey("member.test");
const zone: Zone = { "_dmarc.member.test": { TXT: ["v=DMARC1; p=none"] } };
publish(zone, author);
let clock = Date.parse("2026-11-25T09:00:00Z");
const worker = createWorker({ resolverFor: () => createZoneResolver(zone), now: () => clock });

let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

async function send(e: Env, raw: string, to: string, from: string) {
  clock += 1;
  const captured = emailMessage(raw, { from, to });
  await worker.email(captured.message, e, {} as ExecutionContext);
  return captured;
}

async function heldCount(list: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM held_messages WHERE list_address = ?")
    .bind(list)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** A held post of `size` bytes already waiting (as if a stranger had sent it earlier). */
async function fillHeld(list: string, size: number): Promise<string> {
  const id = `filler-${uid()}`;
  await env.MAIL.put(`held/${id}.eml`, "x");
  await env.DB.prepare(
    `INSERT INTO held_messages (id, list_address, r2_key, rule, reason, author, mail_from, subject, size,
       authenticated, auth, token, created_at, expires_at)
     VALUES (?1, ?2, ?3, 'non-member', 'filler', 'x@stranger.test', 'x@stranger.test', 'big', ?4, 0, '{}', ?5, ?6, ?7)`,
  )
    .bind(id, list, `held/${id}.eml`, size, uid() + uid(), clock, clock + 14 * 86_400_000)
    .run();
  return id;
}

async function api(e: Env, method: string, path: string) {
  const request = new Request(`https://facteur.test${path}`, {
    method,
    headers: { authorization: "Bearer test-admin-token", "cf-connecting-ip": "203.0.113.44" },
  });
  return worker.fetch(request, e, createExecutionContext());
}

describe("held-storage cap (issue 10 item 17)", () => {
  it("a stranger cannot fill R2 with held posts: over the list's cap the post is refused with 552 5.2.2", async () => {
    const e = listEnv();
    const team = `open-${uid()}@${domain}`;
    await createList({ address: team, name: "Team", policy: "members", nonMemberAction: "hold" }, [
      { address: "author@member.test" },
    ]);
    const stranger = fixture(listPostNonmember, { list: team });
    // Under the cap: held, as before.
    expect((await send(e, stranger, team, "stranger@member.test")).rejected).toBeUndefined();
    expect(await heldCount(team)).toBe(1);

    const filler = await fillHeld(team, MAX_HELD_BYTES_PER_LIST - 100);
    const refused = await send(e, stranger, team, "stranger@member.test");
    expect(refused.rejected).toMatch(/^552 5\.2\.2 /);
    expect(await heldCount(team)).toBe(2);

    // Once the moderators catch up (the filler discarded), a stranger is held again.
    expect((await api(e, "POST", `/api/v1/held/${filler}/discard`)).status).toBe(200);
    expect((await send(e, stranger, team, "stranger@member.test")).rejected).toBeUndefined();
    expect(await heldCount(team)).toBe(2);
  });

  it("over the cap an authenticated member's post is still held; a forged member From is refused", async () => {
    const e = listEnv();
    const team = `mod-${uid()}@${domain}`;
    await createList({ address: team, name: "Team", policy: "moderated" }, [{ address: "author@member.test" }]);
    await fillHeld(team, MAX_HELD_BYTES_PER_LIST);
    const post = fixture(listPostModerated, { list: team });
    const signed = await send(e, await dkimSigned(post, author), team, "author@member.test");
    expect(signed.rejected).toBeUndefined();
    expect(await heldCount(team)).toBe(2);
    // The same From without the member's signature proves nothing: counted as a stranger.
    const forged = await send(e, post, team, "author@member.test");
    expect(forged.rejected).toMatch(/^552 5\.2\.2 /);
    expect(await heldCount(team)).toBe(2);
  });
});

describe("bodies of posts with no recipients (issue 10 item 17)", () => {
  it("a post to a list with no members does not keep its body in R2", async () => {
    const e = listEnv();
    const team = `empty-${uid()}@${domain}`;
    await createList({ address: team, name: "Empty", policy: "open" });
    const post = await dkimSigned(fixture(listPostModerated, { list: team }), author);
    expect((await send(e, post, team, "author@member.test")).rejected).toBeUndefined();
    const row = await env.DB.prepare("SELECT id, decision FROM messages WHERE rcpt_to = ? ORDER BY id DESC LIMIT 1")
      .bind(team)
      .first<{ id: string; decision: string }>();
    expect(row?.decision).toBe("list");
    expect(e.FANOUT_QUEUE.jobs).toHaveLength(0);
    expect(await env.MAIL.head(`list/${row!.id}.eml`)).toBeNull();
  });

  it("the sweep deletes old list bodies no delivery row names, and keeps named or recent ones", async () => {
    const now = Date.now();
    const run = uid();
    const orphan = `list/${run}-orphan.eml`;
    const named = `list/${run}-named.eml`;
    await env.MAIL.put(orphan, "orphan");
    await env.MAIL.put(named, "named");
    await env.DB.prepare(
      `INSERT INTO deliveries (id, message_log_id, origin, r2_key, domain, mail_from, rcpt, status, attempts,
         created_at, updated_at, enqueued_at)
       VALUES (?1, ?2, 'list', ?3, ?4, '', 'm@members.test', 'deferred', 1, ?5, ?5, ?5)`,
    )
      .bind(`d-${run}`, `m-${run}`, named, domain, now)
      .run();
    const tick = (at: number) =>
      worker.scheduled(createScheduledController({ scheduledTime: at }), env, createExecutionContext());
    // A day later a fan-out page of it could still be queued: kept.
    await tick(now + 86_400_000);
    expect(await env.MAIL.head(orphan)).not.toBeNull();
    // Past the queue retention (14 days): the orphan goes, the body a row names stays.
    await tick(now + 15 * 86_400_000);
    expect(await env.MAIL.head(orphan)).toBeNull();
    expect(await env.MAIL.head(named)).not.toBeNull();
  });
});
