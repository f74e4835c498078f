/**
 * Issue 10 ("Close the trust boundary"), the list items, each through the Worker's own entry
 * points (email(), fetch(), scheduled(), queue()):
 *   3  a forged bounce (no VERP tag) never scores a member
 *   4  a refusal of the whole message is not scored against every member
 *   10 an upsert keeps owner bans, never demotes, never turns active members pending
 *   11 suspension notices are stored per member
 *   13 list local parts too long for their minted addresses are refused at creation
 *   14 a domain with characters the URL parser drops is refused
 */
import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { MAX_LIST_LOCAL_PART, verpAddress } from "../../src/mail/minted-address";
import { findMember } from "../../src/store/members";
import dsnHardBounce from "../fixtures/lists/dsn-hard-bounce.eml?raw";
import listConfirmReply from "../fixtures/lists/list-confirm-reply.eml?raw";
import listPostOpen from "../fixtures/lists/list-post-open.eml?raw";
import listRequestSubscribe from "../fixtures/lists/list-request-subscribe.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { address } from "../relays/sink";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, deliverAll, type ListTestEnv, listDomain, listEnv, runFanout, uid } from "./helpers";

const author = testKey("member.test");
const zone: Zone = { "_dmarc.member.test": { TXT: ["v=DMARC1; p=none"] } };
publish(zone, author);

let clock = Date.parse("2026-11-25T09:00:00Z");
const worker = createWorker({ resolverFor: () => createZoneResolver(zone), now: () => clock });
const DAY = 86_400_000;

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

async function api(e: Env, method: string, path: string, body?: unknown) {
  const request = new Request(`https://facteur.test${path}`, {
    method,
    headers: {
      authorization: "Bearer test-admin-token",
      "cf-connecting-ip": "203.0.113.10",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return worker.fetch(request, e, createExecutionContext());
}

async function scheduled(e: Env) {
  await worker.scheduled(createScheduledController({ scheduledTime: clock }), e, createExecutionContext());
}

function teamAddress() {
  return `team-${uid()}@${domain}`;
}

function localOf(list: string) {
  return list.slice(0, list.indexOf("@"));
}

/** The Reply-To (a -confirm+token address) of the newest confirmation queued for `to`. */
async function confirmAddressFor(e: ListTestEnv, to: string): Promise<string> {
  const job = e.DELIVERY_QUEUE.jobs.filter((j) => j.recipients.some((r) => r.rcpt === to)).at(-1);
  if (!job) throw new Error(`no notice queued for ${to}`);
  const raw = await (await env.MAIL.get(job.r2Key))!.text();
  return /^Reply-To: <([^>]+)>/m.exec(raw)![1]!;
}

describe("item 3: forged bounces", () => {
  it("a delivery report to the plain -bounces address (no VERP tag) naming a member does not score or disable them", async () => {
    const e = listEnv();
    const team = teamAddress();
    const member = address("victim");
    await createList({ address: team, name: "Team", bounceThreshold: 2 }, [{ address: member }]);
    const plainBounces = `${localOf(team)}-bounces@${domain}`;
    const forgedTag = `${localOf(team)}-bounces+${"0".repeat(22)}@${domain}`;
    for (let day = 0; day < 5; day++) {
      await send(e, fixture(dsnHardBounce, { member, verp: plainBounces }), plainBounces, "");
      await send(e, fixture(dsnHardBounce, { member, verp: forgedTag }), forgedTag, "");
      clock += DAY + 1;
    }
    const row = await findMember(env.DB, team, member);
    expect([row?.status, row?.bounceScore]).toEqual(["active", 0]);
    // A bounce on the member's real VERP address still counts.
    const verp = verpAddress(env.LIST_SECRET, { localPart: localOf(team), domain, address: team }, row!.verpKey);
    await send(e, fixture(dsnHardBounce, { member, verp }), verp, "");
    expect((await findMember(env.DB, team, member))?.bounceScore).toBe(1);
  });
});

describe("item 10: upsertMember", () => {
  it("an owner's ban survives the banned address subscribing and confirming again", async () => {
    const e = listEnv();
    const team = teamAddress();
    const banned = address("banned", "member.test");
    await createList({ address: team, name: "Team" }, [{ address: banned }]);
    const patch = await api(e, "PATCH", `/api/v1/lists/${team}/members/${banned}`, { status: "disabled" });
    expect(patch.status).toBe(200);
    expect((await findMember(env.DB, team, banned))?.disabledReason).toBe("owner");
    const request = team.replace("@", "-request@");
    await send(
      e,
      await dkimSigned(fixture(listRequestSubscribe, { sender: banned, request }), author),
      request,
      banned,
    );
    const confirm = await confirmAddressFor(e, banned);
    await send(e, await dkimSigned(fixture(listConfirmReply, { sender: banned, confirm }), author), confirm, banned);
    const row = await findMember(env.DB, team, banned);
    expect([row?.status, row?.disabledReason]).toEqual(["disabled", "owner"]);
  });

  it("re-importing members demotes no owner or moderator and turns no active member pending", async () => {
    const e = listEnv();
    const team = teamAddress();
    const owner = address("owner", "member.test");
    const moderator = address("mod", "member.test");
    const active = address("active", "member.test");
    await createList({ address: team, name: "Team" }, [
      { address: owner, role: "owner" },
      { address: moderator, role: "moderator" },
      { address: active },
    ]);
    const res = await api(e, "POST", `/api/v1/lists/${team}/members`, {
      members: [{ address: owner }, { address: moderator }, { address: active }],
    });
    expect(res.status).toBe(201);
    const rows = await Promise.all([owner, moderator, active].map((a) => findMember(env.DB, team, a)));
    expect(rows.map((r) => [r?.role, r?.status])).toEqual([
      ["owner", "active"],
      ["moderator", "active"],
      ["member", "active"],
    ]);
  });
});

describe("item 11: suspension notices", () => {
  it("two members suspended by the same post each get their own notice, not the other's", async () => {
    const e = listEnv();
    const team = teamAddress();
    const first = address("reject550");
    const second = address("reject550");
    await createList({ address: team, name: "Team", policy: "open", bounceThreshold: 1 }, [
      { address: first },
      { address: second },
    ]);
    await send(e, fixture(listPostOpen, { list: team }), team, "carol@relaxed.test");
    const { deliveryJobs } = await runFanout(e);
    await deliverAll(e, deliveryJobs);
    await scheduled(e);
    for (const member of [first, second]) {
      expect((await findMember(env.DB, team, member))?.status).toBe("disabled");
      const job = e.DELIVERY_QUEUE.jobs.find((j) => j.recipients.some((r) => r.rcpt === member));
      const raw = await (await env.MAIL.get(job!.r2Key))!.text();
      expect(raw).toContain(`to ${member} has been suspended`);
    }
  });
});

describe("item 13: list local parts and the 64-octet limit", () => {
  it("a list whose -confirm+token address would exceed 64 octets is refused at creation with 422 naming the field", async () => {
    const e = listEnv();
    expect(MAX_LIST_LOCAL_PART).toBe(31);
    const tooLong = `${"l".repeat(MAX_LIST_LOCAL_PART + 1)}@${domain}`;
    const refused = await api(e, "POST", "/api/v1/lists", { address: tooLong, name: "Long" });
    expect(refused.status).toBe(422);
    const problem = (await refused.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((x) => x.field)).toEqual(["address"]);
    const longest = `${uid()}${"l".repeat(MAX_LIST_LOCAL_PART - 8)}@${domain}`;
    expect((await api(e, "POST", "/api/v1/lists", { address: longest, name: "Longest" })).status).toBe(201);
  });
});

describe("item 14: domains the URL parser would cut short", () => {
  it("an address whose domain holds '#' is refused, not read as the part before it", async () => {
    const e = listEnv();
    const local = `team-${uid()}`;
    const res = await api(e, "POST", "/api/v1/lists", { address: `${local}@${domain}#ü.victim.test`, name: "X" });
    expect(res.status).toBe(400);
    expect(await env.DB.prepare("SELECT 1 FROM lists WHERE address = ?").bind(`${local}@${domain}`).first()).toBeNull();
  });
});
