/**
 * List flows through the real entry points: the admin API (lists, members, held), the public
 * one-click unsubscribe, commands to -request with the double opt-in round trip, reply-to-notice
 * moderation, bounces to VERP addresses (score → disable), and the held-post expiry sweep.
 */
import { env } from "cloudflare:test";
import PostalMime from "postal-mime";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api";
import { lists, unsubscribe } from "../../src/api/lists";
import { createWorker } from "../../src/index";
import { sweepExpiredHeld, sweepLists } from "../../src/lists/moderation";
import { unsubscribeToken } from "../../src/lists/unsubscribe-url";
import { verpAddress } from "../../src/mail/minted-address";
import { insertAlias } from "../../src/store/aliases";
import { findMember, memberVerpKey } from "../../src/store/members";
import bounceUndecodable from "../fixtures/lists/bounce-undecodable.eml?raw";
import dsnHardBounce from "../fixtures/lists/dsn-hard-bounce.eml?raw";
import dsnSoftBounce from "../fixtures/lists/dsn-soft-bounce.eml?raw";
import dsnSpamRefusal from "../fixtures/lists/dsn-spam-refusal.eml?raw";
import listConfirmReply from "../fixtures/lists/list-confirm-reply.eml?raw";
import listModeratorApproval from "../fixtures/lists/list-moderator-approval.eml?raw";
import listOwnerQuestion from "../fixtures/lists/list-owner-question.eml?raw";
import listPostModerated from "../fixtures/lists/list-post-moderated.eml?raw";
import listPostNonmember from "../fixtures/lists/list-post-nonmember.eml?raw";
import listPostOpen from "../fixtures/lists/list-post-open.eml?raw";
import listRequestAutoReplied from "../fixtures/lists/list-request-auto-replied.eml?raw";
import listRequestHelpBody from "../fixtures/lists/list-request-help-body.eml?raw";
import listRequestSubscribe from "../fixtures/lists/list-request-subscribe.eml?raw";
import listRequestUnsubscribeBody from "../fixtures/lists/list-request-unsubscribe-body.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { lastLogRow as logRow } from "../helpers/message-log";
import { address, received } from "../relays/sink";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, deliverAll, type ListTestEnv, listDomain, listEnv, runFanout, uid } from "./helpers";

const author = testKey("member.test");
const zone: Zone = { "_dmarc.member.test": { TXT: ["v=DMARC1; p=none"] } };
publish(zone, author);
// Sink addresses (example.test) sign their -request commands: only authenticated requesters are answered.
const sinkKey = testKey("example.test");
publish(zone, sinkKey);
zone["_dmarc.example.test"] = { TXT: ["v=DMARC1; p=none"] };

const app = createApp();
app.route("/api/v1", lists);
app.route("/", unsubscribe);

let clock = Date.parse("2026-11-25T09:00:00Z");
const worker = createWorker({ resolverFor: () => createZoneResolver(zone), now: () => clock });

let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

async function api(e: Env, method: string, path: string, body?: unknown) {
  return app.request(
    `https://facteur.test${path}`,
    {
      method,
      headers: {
        authorization: "Bearer test-admin-token",
        "cf-connecting-ip": "203.0.113.9",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    e,
  );
}

async function send(e: Env, raw: string, to: string, from: string) {
  clock += 1; // ids are time-ordered: the newest log row must be this message's
  const captured = emailMessage(raw, { from, to });
  await worker.email(captured.message, e, {} as ExecutionContext);
  return captured;
}

function teamAddress() {
  return `team-${uid()}@${domain}`;
}

/** The decoded Subject of a notice (mimetext writes it as an RFC 2047 encoded word). */
async function subjectOf(raw: string): Promise<string | undefined> {
  return (await PostalMime.parse(raw)).subject;
}

/** Reply-To of the newest notice the sink received for `to`. */
async function replyToOf(e: ListTestEnv, to: string): Promise<string> {
  await deliverAll(e, e.DELIVERY_QUEUE.jobs.splice(0));
  const got = await received(to);
  const raw = got.at(-1)!.raw;
  return /^Reply-To: <([^>]+)>/m.exec(raw)![1]!;
}

describe("admin API for lists", () => {
  it("creates a list, refuses one that collides with an alias, imports members and pages them", async () => {
    const e = listEnv();
    const team = teamAddress();
    const created = await api(e, "POST", "/api/v1/lists", {
      address: team,
      name: "Team",
      policy: "open",
      subject_prefix: "[t]",
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { policy: string }).policy).toBe("open");
    const local = team.slice(0, team.indexOf("@"));
    await insertAlias(env.DB, {
      address: `other-${uid()}-request@${domain}`,
      domain,
      destinations: ["x@example.net"],
    }).run();
    const aliasName = `clash-${uid()}`;
    await insertAlias(env.DB, {
      address: `${aliasName}-owner@${domain}`,
      domain,
      destinations: ["x@example.net"],
    }).run();
    expect((await api(e, "POST", "/api/v1/lists", { address: `${aliasName}@${domain}` })).status).toBe(409);
    expect((await api(e, "POST", "/api/v1/lists", { address: team })).status).toBe(409);

    const members = Array.from({ length: 3 }, () => ({ address: address("imp") }));
    const added = await api(e, "POST", `/api/v1/lists/${team}/members`, { members, skip_confirmation: true });
    expect(added.status).toBe(201);
    expect(((await added.json()) as { added: number }).added).toBe(3);
    const page1 = (await (await api(e, "GET", `/api/v1/lists/${team}/members?limit=2`)).json()) as {
      items: { status: string }[];
      next_cursor: string | null;
    };
    expect(page1.items).toHaveLength(2);
    expect(page1.items.every((m) => m.status === "active")).toBe(true);
    const page2 = (await (
      await api(e, "GET", `/api/v1/lists/${team}/members?limit=2&cursor=${page1.next_cursor}`)
    ).json()) as {
      items: unknown[];
      next_cursor: string | null;
    };
    expect(page2.items).toHaveLength(1);
    expect(page2.next_cursor).toBeNull();
    expect(local).toMatch(/^team-/);
  });

  it("adding members without skip_confirmation makes them pending and mails each a confirmation", async () => {
    const e = listEnv();
    const team = teamAddress();
    await createList({ address: team, name: "Team" });
    const invitee = address("inv");
    const res = await api(e, "POST", `/api/v1/lists/${team}/members`, { members: [{ address: invitee }] });
    expect(res.status).toBe(201);
    expect((await findMember(env.DB, team, invitee))?.status).toBe("pending");
    // The confirmation goes out from a queued page (issue 10 item 12), not from the request.
    e.DELIVERY_QUEUE.jobs.push(...(await runFanout(e)).deliveryJobs);
    const confirm = await replyToOf(e, invitee);
    expect(confirm).toMatch(/-confirm\+/);
    // The invitee replies: now active.
    await send(e, fixture(listConfirmReply, { sender: invitee, confirm }), confirm, invitee);
    expect((await findMember(env.DB, team, invitee))?.status).toBe("active");
  });
});

describe("commands to -request and the double opt-in", () => {
  it("subscribe → confirmation to the requester → reply to the token → member, welcomed", async () => {
    const e = listEnv();
    const team = teamAddress();
    await createList({ address: team, name: "Team" });
    const request = team.replace("@", "-request@");
    const newcomer = address("new");
    await send(
      e,
      await dkimSigned(fixture(listRequestSubscribe, { sender: newcomer, request }), sinkKey),
      request,
      newcomer,
    );
    expect((await logRow(request))?.rule).toBe("list:request");
    expect(await findMember(env.DB, team, newcomer)).toBeNull();
    const confirm = await replyToOf(e, newcomer);
    await send(e, fixture(listConfirmReply, { sender: newcomer, confirm }), confirm, newcomer);
    expect((await findMember(env.DB, team, newcomer))?.status).toBe("active");
    expect((await logRow(confirm))?.reason).toBe(`subscribe of ${newcomer} confirmed`);
    await deliverAll(e, e.DELIVERY_QUEUE.jobs.splice(0));
    expect(await subjectOf((await received(newcomer)).at(-1)!.raw)).toBe(`Welcome to ${team}`);
    // A token confirms once.
    const again = await send(e, fixture(listConfirmReply, { sender: newcomer, confirm }), confirm, newcomer);
    expect(again.rejected).toBe("550 5.1.1 Unknown or expired confirmation token");
    expect((await logRow(confirm))?.rule).toBe("list:confirm");
  });

  it("a command in the first body line, help, and unsubscribe with confirmation", async () => {
    const e = listEnv();
    const team = teamAddress();
    const member = address("leaver");
    await createList({ address: team, name: "Team" }, [{ address: member }]);
    const request = team.replace("@", "-request@");
    await send(
      e,
      await dkimSigned(fixture(listRequestHelpBody, { sender: member, request }), sinkKey),
      request,
      member,
    );
    await deliverAll(e, e.DELIVERY_QUEUE.jobs.splice(0));
    expect(await subjectOf((await received(member)).at(-1)!.raw)).toBe(`Help for ${team}`);
    await send(
      e,
      await dkimSigned(fixture(listRequestUnsubscribeBody, { sender: member, request }), sinkKey),
      request,
      member,
    );
    const confirm = await replyToOf(e, member);
    await send(e, fixture(listConfirmReply, { sender: member, confirm }), confirm, member);
    const row = await findMember(env.DB, team, member);
    expect([row?.status, row?.disabledReason]).toEqual(["disabled", "unsubscribed"]);
  });

  it("auto-submitted mail to -request is not answered", async () => {
    const e = listEnv();
    const team = teamAddress();
    await createList({ address: team, name: "Team" });
    const request = team.replace("@", "-request@");
    await send(e, fixture(listRequestAutoReplied, { request }), request, "robot@member.test");
    const row = await logRow(request);
    expect([row?.decision, row?.rule, row?.reason]).toEqual([
      "discarded",
      "list:request",
      "automatic message to -request: not answered",
    ]);
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);
  });
});

describe("team-owner@", () => {
  it("goes to the active owners only, marked so it cannot loop back", async () => {
    const e = listEnv();
    const team = teamAddress();
    const owner = address("owner");
    await createList({ address: team, name: "Team" }, [
      { address: owner, role: "owner" },
      { address: address("plain") },
    ]);
    const ownerAddress = team.replace("@", "-owner@");
    await send(e, fixture(listOwnerQuestion, { owner: ownerAddress }), ownerAddress, "asker@member.test");
    expect((await logRow(ownerAddress))?.rule).toBe("list:owner");
    await deliverAll(e, e.DELIVERY_QUEUE.jobs.splice(0));
    const got = await received(owner);
    expect(got).toHaveLength(1);
    expect(got[0]!.raw).toContain(`X-Facteur-Loop: ${ownerAddress}`);
    const loop = await send(e, got[0]!.raw, ownerAddress, "asker@member.test");
    expect(loop.rejected).toMatch(/^554 5\.4\.6 /);
    expect((await logRow(ownerAddress))?.rule).toBe("loop-marker");
  });
});

describe("one-click unsubscribe (RFC 8058)", () => {
  it("GET shows a confirmation page and changes nothing; POST unsubscribes at once; a forged token is refused", async () => {
    const team = teamAddress();
    const member = address("oc");
    await createList({ address: team, name: "Team" }, [{ address: member }]);
    const token = unsubscribeToken(env.LIST_SECRET, team, member);
    const get = await app.request(`https://facteur.test/lists/unsubscribe/${token}`, {}, env);
    expect(get.status).toBe(200);
    expect(await get.text()).toContain('<form method="post">');
    expect((await findMember(env.DB, team, member))?.status).toBe("active");
    const post = await app.request(
      `https://facteur.test/lists/unsubscribe/${token}`,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      },
      env,
    );
    expect(post.status).toBe(200);
    expect((await findMember(env.DB, team, member))?.status).toBe("disabled");
    const forged = unsubscribeToken("another-secret", team, member);
    expect(
      (await app.request(`https://facteur.test/lists/unsubscribe/${forged}`, { method: "POST" }, env)).status,
    ).toBe(404);
  });
});

describe("moderation", () => {
  async function heldPost(e: ListTestEnv, policy: "moderated" | "members" = "moderated") {
    const team = teamAddress();
    const moderator = "mod@member.test";
    const reader = address("reader");
    await createList({ address: team, name: "Team", policy }, [
      { address: "author@member.test" },
      { address: moderator, role: "moderator" },
      { address: reader },
    ]);
    const raw = await dkimSigned(fixture(listPostModerated, { list: team }), author);
    await send(e, raw, team, "author@member.test");
    const held = await env.DB.prepare("SELECT id, token FROM held_messages WHERE list_address = ?")
      .bind(team)
      .first<{ id: string; token: string }>();
    e.DELIVERY_QUEUE.jobs.splice(0); // the moderator notice
    return { team, held: held!, reader, moderator };
  }

  it("holds every post of a moderated list; POST /held/{id}/approve distributes it", async () => {
    const e = listEnv();
    const { team, held, reader } = await heldPost(e);
    const row = await logRow(team);
    expect([row?.decision, row?.rule]).toEqual(["held", "list:moderated"]);
    const listed = (await (await api(e, "GET", `/api/v1/lists/${team}/held`)).json()) as {
      items: { id: string; rule: string }[];
    };
    expect(listed.items.map((h) => [h.id, h.rule])).toEqual([[held.id, "moderated"]]);
    const res = await api(e, "POST", `/api/v1/held/${held.id}/approve`);
    expect(res.status).toBe(200);
    const { deliveryJobs } = await runFanout(e);
    expect(deliveryJobs.flatMap((j) => j.recipients.map((r) => r.rcpt))).toContain(reader);
    await deliverAll(e, deliveryJobs);
    expect((await received(reader))[0]!.raw).toContain("Subject: needs approval");
    expect((await api(e, "POST", `/api/v1/held/${held.id}/approve`)).status).toBe(404);
  });

  it("reject notifies an authenticated author; discard says nothing", async () => {
    const e = listEnv();
    const first = await heldPost(e);
    expect(
      (await (await api(e, "POST", `/api/v1/held/${first.held.id}/reject`, { comment: "off topic" })).json()) as object,
    ).toMatchObject({ notified: true });
    expect(e.DELIVERY_QUEUE.jobs.flatMap((j) => j.recipients.map((r) => r.rcpt))).toEqual(["author@member.test"]);
    e.DELIVERY_QUEUE.jobs.splice(0);
    const second = await heldPost(e);
    expect((await (await api(e, "POST", `/api/v1/held/${second.held.id}/discard`)).json()) as object).toMatchObject({
      action: "discard",
    });
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);
    expect(await env.MAIL.get(`held/${second.held.id}.eml`)).toBeNull();
  });

  it("an unauthenticated author's rejected post is not answered (no backscatter)", async () => {
    const e = listEnv();
    const team = teamAddress();
    await createList({ address: team, name: "Team", policy: "members", nonMemberAction: "hold" });
    await send(e, fixture(listPostNonmember, { list: team }), team, "stranger@member.test");
    const row = await logRow(team);
    expect([row?.decision, row?.rule]).toEqual(["held", "list:non-member"]);
    const held = await env.DB.prepare("SELECT id FROM held_messages WHERE list_address = ?")
      .bind(team)
      .first<{ id: string }>();
    const res = (await (await api(e, "POST", `/api/v1/held/${held!.id}/reject`)).json()) as { notified: boolean };
    expect(res.notified).toBe(false);
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);
  });

  it("a moderator approves by replying to the notice; a non-moderator's reply is refused", async () => {
    const e = listEnv();
    const { team, held, reader, moderator } = await heldPost(e);
    const confirm = team.replace("@", `-confirm+${held.token}@`);
    const intruder = await send(e, fixture(listConfirmReply, { sender: reader, confirm }), confirm, reader);
    expect(intruder.rejected).toBe("550 5.7.1 Only an authenticated moderator of the list may act on a held post");
    expect((await logRow(confirm))?.rule).toBe("list:confirm");
    const reply = await dkimSigned(fixture(listModeratorApproval, { moderator, confirm }), author);
    const c = await send(e, reply, confirm, moderator);
    expect(c.rejected).toBeUndefined();
    expect((await logRow(confirm))?.rule).toBe("list:moderate");
    const { pages } = await runFanout(e);
    expect(pages).toBe(1);
  });

  it("scheduled() sweeps held posts past their expiry", async () => {
    const e = listEnv();
    const { held } = await heldPost(e);
    expect((await sweepExpiredHeld(e, clock)).expired).toBe(0);
    const { expired } = await sweepExpiredHeld(e, clock + 15 * 86_400_000);
    expect(expired).toBeGreaterThanOrEqual(1);
    expect(await env.DB.prepare("SELECT 1 FROM held_messages WHERE id = ?").bind(held.id).first()).toBeNull();
    expect(await env.MAIL.get(`held/${held.id}.eml`)).toBeNull();
  });
});

describe("bounces", () => {
  /** A provider's delivery report (RFC 3464) for `member`'s copy, sent to the list's VERP address. */
  const DSN = { hard: dsnHardBounce, spam: dsnSpamRefusal, soft: dsnSoftBounce };
  function dsnFor(kind: keyof typeof DSN, member: string, verp: string) {
    return fixture(DSN[kind], { member, verp });
  }

  it("hard bounces score +1 at most once a day, spam refusals do not count, and the threshold disables and notifies", async () => {
    const e = listEnv();
    const team = teamAddress();
    const owner = address("owner");
    const member = address("bouncy");
    await createList({ address: team, name: "Team", bounceThreshold: 3 }, [
      { address: member },
      { address: owner, role: "owner" },
    ]);
    const list = { localPart: team.slice(0, team.indexOf("@")), domain, address: team };
    const verp = verpAddress(env.LIST_SECRET, list, memberVerpKey(team, member));
    const bounce = async (kind: keyof typeof DSN) => {
      await send(e, dsnFor(kind, member, verp), verp, "");
      return logRow(verp);
    };
    expect((await bounce("hard"))?.reason).toContain("hard bounce, score 1/3");
    expect((await bounce("hard"))?.reason).toContain("already counted in the last day");
    clock += 86_400_000 + 1;
    expect((await bounce("spam"))?.reason).toContain("spam rejection");
    expect((await bounce("soft"))?.reason).toContain("soft bounce, score 1.5/3");
    clock += 86_400_000 + 1;
    await bounce("hard");
    clock += 86_400_000 + 1;
    const last = await bounce("hard");
    expect(last?.reason).toContain("score 3.5/3, disabled");
    const row = await findMember(env.DB, team, member);
    expect([row?.status, row?.disabledReason]).toEqual(["disabled", "bounces"]);
    // The member and the owner are told.
    expect(e.DELIVERY_QUEUE.jobs.flatMap((j) => j.recipients.map((r) => r.rcpt)).sort()).toEqual(
      [member, owner].sort(),
    );
  });

  it("the score starts over after a quiet period; forged VERP and undecodable bounces are only logged", async () => {
    const e = listEnv();
    const team = teamAddress();
    const member = address("quiet");
    await createList({ address: team, name: "Team", bounceQuietDays: 7 }, [{ address: member }]);
    const list = { localPart: team.slice(0, team.indexOf("@")), domain, address: team };
    const verp = verpAddress(env.LIST_SECRET, list, memberVerpKey(team, member));
    await send(e, dsnFor("hard", member, verp), verp, "");
    clock += 10 * 86_400_000;
    await send(e, dsnFor("hard", member, verp), verp, "");
    expect((await logRow(verp))?.reason).toContain("score 1/5");
    const forged = verp.replace(/[0-9a-f]{6}@/, "000000@");
    await send(e, fixture(bounceUndecodable, { verp: forged }), forged, "");
    const row = await logRow(forged);
    expect([row?.decision, row?.reason]).toEqual(["discarded", "unknown member: undecodable bounce"]);
    expect(e.FANOUT_QUEUE.jobs).toHaveLength(0);
  });

  it("a copy the relay refuses outright (550 in the SMTP transaction) is scored by the scheduled sweep", async () => {
    const e = listEnv();
    const team = teamAddress();
    const gone = address("reject550");
    const fine = address("fine");
    await createList({ address: team, name: "Team", policy: "open" }, [{ address: gone }, { address: fine }]);
    await send(e, fixture(listPostOpen, { list: team }), team, "carol@relaxed.test");
    const { deliveryJobs } = await runFanout(e);
    await deliverAll(e, deliveryJobs);
    const row = await env.DB.prepare("SELECT status, dsn FROM deliveries WHERE rcpt = ?")
      .bind(gone)
      .first<{ status: string; dsn: string }>();
    expect(row).toEqual({ status: "bounced", dsn: "suppressed:list-bounce-address" });
    expect((await sweepLists(e, clock)).scored).toBeGreaterThanOrEqual(1);
    expect((await findMember(env.DB, team, gone))?.bounceScore).toBe(1);
    expect((await findMember(env.DB, team, fine))?.bounceScore).toBe(0);
    // Counted once: the row is marked.
    await sweepLists(e, clock + 2 * 86_400_000);
    expect((await findMember(env.DB, team, gone))?.bounceScore).toBe(1);
  });
});
