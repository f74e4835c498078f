/**
 * `set each | set digest daily | set digest weekly | set nomail` sent to team-request@d through
 * email(): applied for an authenticated member (DKIM aligned with the From), answered within the
 * daily reply allowance, ignored for an unauthenticated requester.
 */
import { env } from "cloudflare:test";
import PostalMime from "postal-mime";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { AUTO_REPLIES_PER_DAY } from "../../src/lists/reply-limit";
import { findDeliveryMode } from "../../src/store/delivery-modes";
import { emailMessage } from "../helpers/email";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { address, received } from "../relays/sink";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, deliverAll, type ListTestEnv, listDomain, listEnv, uid } from "./helpers";

// Sink addresses are at example.test; their commands are signed with its key (DMARC p=none).
const sinkKey = testKey("example.test");
const zone: Zone = { "_dmarc.example.test": { TXT: ["v=DMARC1; p=none"] } };
publish(zone, sinkKey);

let clock = Date.parse("2026-11-25T09:00:00Z");
const worker = createWorker({ resolverFor: () => createZoneResolver(zone), now: () => clock });
let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

function command(sender: string, request: string, subject: string, body = "") {
  return [
    "Date: Wed, 25 Nov 2026 09:00:00 +0000",
    `Message-ID: <cmd-${uid()}@example.test>`,
    `From: ${sender}`,
    `To: ${request}`,
    `Subject: ${subject}`,
    "",
    body,
    "",
  ].join("\r\n");
}

async function send(e: Env, raw: string, to: string, from: string) {
  clock += 1;
  const captured = emailMessage(raw, { from, to });
  await worker.email(captured.message, e, {} as ExecutionContext);
  expect(captured.rejected).toBeUndefined();
}

async function lastLog(rcpt: string) {
  return env.DB.prepare("SELECT decision, rule, reason FROM messages WHERE rcpt_to = ? ORDER BY id DESC LIMIT 1")
    .bind(rcpt)
    .first<{ decision: string; rule: string; reason: string }>();
}

async function answers(e: ListTestEnv, to: string): Promise<(string | undefined)[]> {
  await deliverAll(e, e.DELIVERY_QUEUE.jobs.splice(0));
  return Promise.all((await received(to)).map(async (m) => (await PostalMime.parse(m.raw)).subject));
}

describe("set commands to -request", () => {
  it("an authenticated member sets each mode, from the Subject or the first body line, and is told", async () => {
    const e = listEnv();
    const team = `team-${uid()}@${domain}`;
    const member = address("setter");
    await createList({ address: team, name: "Team" }, [{ address: member }]);
    const request = team.replace("@", "-request@");

    const steps: [string, string, string][] = [
      ["set digest daily", "", "digest_daily"],
      ["Re: SET Digest  Weekly", "", "digest_weekly"],
      ["hello", "set nomail", "nomail"],
      ["set each", "", "each"],
    ];
    for (const [subject, body, mode] of steps) {
      await send(e, await dkimSigned(command(member, request, subject, body), sinkKey), request, member);
      expect(await findDeliveryMode(env.DB, team, member)).toBe(mode);
      expect((await lastLog(request))?.reason).toBe(`delivery mode of ${member} set to ${mode}`);
    }
    // The sink's order is the relay sessions', not the commands'.
    expect((await answers(e, member)).sort()).toEqual(
      [
        `Delivery for ${team}: one digest a day`,
        `Delivery for ${team}: one digest a week`,
        `Delivery for ${team}: no mail`,
        `Delivery for ${team}: every post as it is sent`,
      ].sort(),
    );
  });

  it("an unauthenticated requester changes nothing and gets no answer; a stranger is told they are not a member", async () => {
    const e = listEnv();
    const team = `team-${uid()}@${domain}`;
    const member = address("victim");
    const stranger = address("stranger");
    await createList({ address: team, name: "Team" }, [{ address: member }]);
    const request = team.replace("@", "-request@");

    // Unsigned: anyone could have forged this From.
    await send(e, command(member, request, "set nomail"), request, member);
    expect(await findDeliveryMode(env.DB, team, member)).toBe("each");
    expect(await lastLog(request)).toMatchObject({
      decision: "discarded",
      reason: "requester not authenticated: not answered",
    });
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(0);

    await send(e, await dkimSigned(command(stranger, request, "set digest daily"), sinkKey), request, stranger);
    expect((await lastLog(request))?.reason).toBe(`set digest_daily: ${stranger} is not an active member`);
    expect(await findDeliveryMode(env.DB, team, stranger)).toBeNull();
    expect(await answers(e, stranger)).toEqual([`${stranger} is not subscribed to ${team}`]);
  });

  it("replies are rate-limited: past the daily allowance a command is neither applied nor answered", async () => {
    const e = listEnv();
    const team = `team-${uid()}@${domain}`;
    const member = address("chatty");
    await createList({ address: team, name: "Team" }, [{ address: member }]);
    const request = team.replace("@", "-request@");
    for (let i = 0; i < AUTO_REPLIES_PER_DAY; i++) {
      const subject = i % 2 === 0 ? "set digest daily" : "set each";
      await send(e, await dkimSigned(command(member, request, subject), sinkKey), request, member);
    }
    const before = await findDeliveryMode(env.DB, team, member);
    await send(e, await dkimSigned(command(member, request, "set nomail"), sinkKey), request, member);
    expect(await findDeliveryMode(env.DB, team, member)).toBe(before);
    expect((await lastLog(request))?.reason).toBe(`daily automatic-reply limit reached for ${member}: not answered`);
    expect(await answers(e, member)).toHaveLength(AUTO_REPLIES_PER_DAY);
  });
});
