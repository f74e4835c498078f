/**
 * Issue 10 item 3, second path: a bounce to the plain team-bounces@d (no VERP tag) scores a
 * member only when the headers it returns are Facteur's own copy to that member (the post's
 * Message-ID, delivered to the member, and that copy's per-member List-Unsubscribe token). A
 * forged report that names a member, even with a real post's Message-ID, scores nobody.
 * Driven through email() (the post and the bounces) and queue() (the fan-out).
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { DeliveryJob } from "../../src/core/jobs";
import { createWorker } from "../../src/index";
import { listAddresses } from "../../src/mail/minted-address";
import { findMember } from "../../src/store/members";
import listPostOpen from "../fixtures/lists/list-post-open.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, type ListTestEnv, listDomain, listEnv, runFanout, uid } from "./helpers";

const zone: Zone = {};
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });

let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

async function send(e: Env, raw: string, to: string, from: string) {
  const captured = emailMessage(raw, { from, to });
  await worker.email(captured.message, e, {} as ExecutionContext);
  return captured;
}

/** A null-sender report to `to` that `member` failed, returning `returned` as text/rfc822-headers. */
function report(member: string, returned: string): string {
  return [
    "From: Mail Delivery System <mailer-daemon@provider.test>",
    "To: <bounces>",
    "Subject: Undelivered Mail Returned to Sender",
    "Date: Wed, 25 Nov 2026 09:00:00 +0000",
    `Message-ID: <dsn-${uid()}@provider.test>`,
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    `<${member}>: 550 5.1.1 user unknown`,
    "",
    "--b",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.provider.test",
    "",
    `Final-Recipient: rfc822; ${member}`,
    "Action: failed",
    "Status: 5.1.1",
    "Diagnostic-Code: smtp; 550 5.1.1 user unknown",
    "",
    "--b",
    "Content-Type: text/rfc822-headers",
    "",
    returned.replace(/\r\n/g, "\n").trimEnd(),
    "",
    "--b--",
    "",
  ].join("\r\n");
}

/** A post to a two-member list, fanned out; returns each member's copy header section as sent. */
async function postToList(e: ListTestEnv) {
  const team = `rc-${uid()}@${domain}`;
  const run = uid();
  const alice = `alice-${run}@members.test`;
  const bob = `bob-${run}@members.test`;
  await createList({ address: team, name: "Team", policy: "open" }, [{ address: alice }, { address: bob }]);
  await send(e, fixture(listPostOpen, { list: team }), team, "carol@relaxed.test");
  const { deliveryJobs } = await runFanout(e);
  const copies = new Map<string, string>();
  for (const job of deliveryJobs as DeliveryJob[]) {
    const body = await (await env.MAIL.get(job.r2Key))!.text();
    const header = body.slice(0, body.indexOf("\r\n\r\n") + 2);
    for (const r of job.recipients) copies.set(r.rcpt, `${r.prepend ?? ""}${header}`);
  }
  const bounces = listAddresses({ localPart: team.split("@")[0]!, domain }).bounces;
  return { team, alice, bob, copies, bounces };
}

const scoreOf = async (team: string, member: string) => (await findMember(env.DB, team, member))?.bounceScore;

describe("bounces without a VERP tag (issue 10 item 3, second path)", () => {
  it("a bounce to team-bounces@d whose returned headers are our copy to the member scores that member", async () => {
    const e = listEnv();
    const { team, alice, bob, copies, bounces } = await postToList(e);
    expect(copies.get(alice)).toMatch(/List-Unsubscribe:/);
    const dsn = report(alice, copies.get(alice)!);
    expect((await send(e, dsn, bounces, "")).rejected).toBeUndefined();
    expect(await scoreOf(team, alice)).toBe(1);
    expect(await scoreOf(team, bob)).toBe(0);
  });

  it("a forged bounce that names a member with a real post's Message-ID, but not our copy to them, scores nobody", async () => {
    const e = listEnv();
    const { team, alice, bob, copies, bounces } = await postToList(e);
    const messageId = /^Message-ID: (.*)$/im.exec(copies.get(alice)!)![1]!;
    // 1. The post's Message-ID and the member, in headers the forger wrote (no per-member token).
    const written = `From: carol@relaxed.test\r\nTo: ${team}\r\nMessage-ID: ${messageId}\r\nSubject: hello\r\n`;
    await send(e, report(alice, written), bounces, "");
    // 2. Bob's real copy (Bob can read his own headers), reported as Alice's failure.
    await send(e, report(alice, copies.get(bob)!), bounces, "");
    // 3. Alice's real copy with its Message-ID changed to a post she never got.
    const other = copies.get(alice)!.replace(messageId, `<made-up-${uid()}@relaxed.test>`);
    await send(e, report(alice, other), bounces, "");
    expect(await scoreOf(team, alice)).toBe(0);
    expect(await scoreOf(team, bob)).toBe(0);
  });
});
