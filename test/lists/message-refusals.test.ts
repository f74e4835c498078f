/**
 * Issue 10 item 4: a refusal of the whole message (over the relay's size, content refused at
 * DATA, the relay's account or sender setup) is not a member's bounce. Only per-recipient
 * refusals at RCPT (5.1.x, 5.2.x) score; relay account errors get a status of their own,
 * `relay-error`, visible through the API; and a list's size cap stays under the relay's limit
 * minus what Facteur adds. Driven through email(), queue(), scheduled() and fetch().
 */
import { createExecutionContext, createScheduledController, env } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { CLOUDFLARE_MAX_MESSAGE_BYTES } from "../../src/deliver/relays/cloudflare";
import { createWorker } from "../../src/index";
import { findMember } from "../../src/store/members";
import listPostOpen from "../fixtures/lists/list-post-open.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { address } from "../relays/sink";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, deliverAll, listDomain, listEnv, runFanout, uid } from "./helpers";

const zone: Zone = {};
let clock = Date.parse("2026-11-25T09:00:00Z");
const worker = createWorker({ resolverFor: () => createZoneResolver(zone), now: () => clock });
const mailgun = inject("mailgunMock");

let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

async function post(e: Env, team: string, raw = fixture(listPostOpen, { list: team })) {
  clock += 1;
  const captured = emailMessage(raw, { from: "carol@relaxed.test", to: team });
  await worker.email(captured.message, e, {} as ExecutionContext);
  return captured;
}

async function scheduled(e: Env) {
  await worker.scheduled(createScheduledController({ scheduledTime: clock }), e, createExecutionContext());
}

async function rowOf(rcpt: string) {
  return env.DB.prepare("SELECT status, last_reply FROM deliveries WHERE rcpt = ?")
    .bind(rcpt)
    .first<{ status: string; last_reply: string }>();
}

async function domainWithRelay(relayUrl: string): Promise<string> {
  const name = await listDomain(zone, `relay-${uid()}.test`);
  await env.DB.prepare("UPDATE domains SET relay_url = ?1 WHERE name = ?2").bind(relayUrl, name).run();
  return name;
}

describe("refusals of the message are not member bounces", () => {
  it("a copy refused after DATA (554 5.6.0, the message itself) does not score the member; a 550 5.1.1 at RCPT does", async () => {
    const e = listEnv();
    const team = `team-${uid()}@${domain}`;
    const refusedContent = address("rejectdata");
    const unknownUser = address("reject550");
    await createList({ address: team, name: "Team", policy: "open", bounceThreshold: 1 }, [
      { address: refusedContent },
      { address: unknownUser },
    ]);
    await post(e, team);
    await deliverAll(e, (await runFanout(e)).deliveryJobs);
    expect((await rowOf(refusedContent))?.status).toBe("bounced");
    await scheduled(e);
    const content = await findMember(env.DB, team, refusedContent);
    expect([content?.status, content?.bounceScore]).toEqual(["active", 0]);
    expect((await findMember(env.DB, team, unknownUser))?.status).toBe("disabled");
  });

  it("a Mailgun 401 (wrong API key) or 402 (account disabled) is a relay-error row shown by the API, never a member bounce", async () => {
    const e = listEnv();
    const wrongKey = await domainWithRelay(
      `mailgun://key-wrong@${mailgun.domain}?base=${encodeURIComponent(mailgun.baseUrl)}`,
    );
    const team = `team-${uid()}@${wrongKey}`;
    const member = address("member");
    const suspended = address("suspended");
    await createList({ address: team, name: "Team", policy: "open", bounceThreshold: 1 }, [{ address: member }]);
    await post(e, team);
    await deliverAll(e, (await runFanout(e)).deliveryJobs);
    const row = await rowOf(member);
    expect(row?.status).toBe("relay-error");
    expect(row?.last_reply).toMatch(/^451 4\.7\.8 Mailgun HTTP 401/);
    await scheduled(e);
    expect((await findMember(env.DB, team, member))?.bounceScore).toBe(0);
    const listed = await worker.fetch(
      new Request(`https://facteur.test/api/v1/deliveries?status=relay-error&limit=100`, {
        headers: { authorization: "Bearer test-admin-token", "cf-connecting-ip": "203.0.113.11" },
      }),
      e,
      createExecutionContext(),
    );
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { items: { rcpt: string; status: string }[] };
    expect(body.items.find((d) => d.rcpt === member)?.status).toBe("relay-error");

    const accountOff = await domainWithRelay(
      `mailgun://${mailgun.apiKey}@${mailgun.domain}?base=${encodeURIComponent(mailgun.baseUrl)}`,
    );
    const team2 = `team-${uid()}@${accountOff}`;
    await createList({ address: team2, name: "Team", policy: "open", bounceThreshold: 1 }, [{ address: suspended }]);
    await post(e, team2);
    await deliverAll(e, (await runFanout(e)).deliveryJobs);
    expect((await rowOf(suspended))?.status).toBe("relay-error");
    await scheduled(e);
    expect((await findMember(env.DB, team2, suspended))?.status).toBe("active");
  });

  it("a post under the list's 5 MiB cap but too big for Cloudflare's 5 MiB once Facteur's headers are added is held, not sent to be refused", async () => {
    const e = listEnv();
    const cloudflare = await domainWithRelay("cloudflare:");
    const team = `team-${uid()}@${cloudflare}`;
    await createList({ address: team, name: "Team", policy: "open" }, [{ address: address("member") }]);
    const head = fixture(listPostOpen, { list: team });
    const filler = `${"x".repeat(76)}\r\n`.repeat(Math.floor((CLOUDFLARE_MAX_MESSAGE_BYTES - 16 * 1024) / 78));
    await post(e, team, head + filler);
    const logged = await env.DB.prepare(
      "SELECT decision, rule, reason FROM messages WHERE rcpt_to = ? ORDER BY id DESC",
    )
      .bind(team)
      .first<{ decision: string; rule: string; reason: string }>();
    expect([logged?.decision, logged?.rule]).toEqual(["held", "list:max-size"]);
    expect(logged?.reason).toContain("minus");
    expect(e.FANOUT_QUEUE.jobs).toHaveLength(0);
  });
});
