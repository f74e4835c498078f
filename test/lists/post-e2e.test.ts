/**
 * A list post end to end: email() → posting chain → transform pipeline → R2 + fan-out queue →
 * queue() (fan-out consumer) → delivery queue → queue() (delivery consumer) → real SMTP sink.
 * Each member's copy is checked with mailauth against the declared zone: the list's DKIM
 * signature and the ARC chain verify.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
} from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../../src/authenticate";
import { createWorker } from "../../src/index";
import { verifyUnsubscribeToken } from "../../src/lists/unsubscribe-url";
import { decodeVerp } from "../../src/mail/minted-address";
import { memberVerpKey } from "../../src/store/members";
import listPostForged from "../fixtures/lists/list-post-forged.eml?raw";
import listPostMember from "../fixtures/lists/list-post-member.eml?raw";
import listPostOpen from "../fixtures/lists/list-post-open.eml?raw";
import listPostUnauthenticatedMember from "../fixtures/lists/list-post-unauthenticated-member.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { lastLogRow as logRow } from "../helpers/message-log";
import { address, bytesOf, received } from "../relays/sink";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { createList, deliverAll, listDomain, listEnv, runFanout, uid } from "./helpers";

const author = testKey("author.test");
const zone: Zone = {
  "_dmarc.author.test": { TXT: ["v=DMARC1; p=reject"] },
  "_dmarc.relaxed.test": { TXT: ["v=DMARC1; p=none"] },
};
publish(zone, author);
// A fresh resolver per use: the list domain's key is published in beforeAll, after module load.
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });

let domain: string;
beforeAll(async () => {
  domain = await listDomain(zone);
});

async function post(e: Env, raw: string, to: string, from = "alice@author.test") {
  const captured = emailMessage(raw, { from, to });
  await worker.email(captured.message, e, {} as ExecutionContext);
  return captured;
}

/** The receiving side: mailauth (through Facteur's authenticate) against the same zone. */
async function verify(bytes: Uint8Array, mailFrom: string) {
  return authenticate(bytes, {
    resolver: createZoneResolver(zone),
    authservId: "mx.member.test",
    mailFrom,
    topReceived: undefined,
    trustedReceivers: null,
  });
}

describe("a list post, end to end", () => {
  it("reaches every member once, with list headers, VERP, per-member unsubscribe, DKIM d=list and a valid ARC chain", async () => {
    const team = `team-${uid()}@${domain}`;
    const members = [address("m"), address("m"), address("m")];
    await createList({ address: team, name: "Team", subjectPrefix: "[team]", policy: "members" }, [
      { address: "alice@author.test" },
      ...members.map((m) => ({ address: m })),
    ]);
    const e = listEnv();
    const raw = await dkimSigned(fixture(listPostMember, { list: team }), author);
    const c = await post(e, raw, team);
    expect(c.rejected).toBeUndefined();
    const row = await logRow(team);
    expect(row?.decision).toBe("list");
    expect(row?.rule).toBe("list:accept");
    expect(row?.reason).toContain("dmarc munge");

    const { pages, deliveryJobs } = await runFanout(e);
    expect(pages).toBe(1);
    // The author is a member but did not opt in to their own posts: three copies, not four.
    expect(deliveryJobs.flatMap((j) => j.recipients.map((r) => r.rcpt)).sort()).toEqual([...members].sort());
    await deliverAll(e, deliveryJobs);

    for (const member of members) {
      const got = await received(member);
      expect(got).toHaveLength(1);
      const copy = got[0]!;
      const text = copy.raw;
      // VERP envelope naming this member, verifiable with LIST_SECRET.
      expect(copy.mailFrom).toMatch(/^team-[a-z0-9]+-bounces\+/);
      const tag = copy.mailFrom.slice(copy.mailFrom.indexOf("+") + 1, copy.mailFrom.lastIndexOf("@"));
      expect(decodeVerp(env.LIST_SECRET, team, tag)).toBe(memberVerpKey(team, member));
      // RFC 5321 section 4.5.3.1.1: a local part is at most 64 octets.
      expect(copy.mailFrom.indexOf("@")).toBeLessThanOrEqual(64);
      // Headers: prefix once, RFC 2919/2369/8058 fields, From rewritten (author.test is p=reject).
      expect(text).toMatch(/^Subject: \[team\] Quarterly numbers\r$/m);
      expect(text).toMatch(new RegExp(`^List-Id: "Team" <team-[a-z0-9]+\\.${domain.replace(/\./g, "\\.")}>\\r$`, "m"));
      expect(text).toContain(`List-Post: <mailto:${team}>`);
      expect(text).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
      expect(text).toMatch(/^Precedence: list\r$/m);
      expect(text).toContain(`From: "Alice via Team" <${team}>`);
      expect(text).toContain("X-Original-From: Alice <alice@author.test>");
      expect(text).not.toMatch(/^Bcc:/im);
      const unsub = /List-Unsubscribe: <https:\/\/lists\.facteur\.test\/lists\/unsubscribe\/([^>]+)>/.exec(text);
      expect(unsub).not.toBeNull();
      expect(verifyUnsubscribeToken(env.LIST_SECRET, unsub![1]!)).toEqual({
        list: team.toLowerCase(),
        member: member.toLowerCase(),
      });

      // What gmail/outlook would see: DKIM d=list domain passes (covering List-Unsubscribe and
      // List-Unsubscribe-Post, RFC 8058 section 4), the ARC chain passes, DMARC passes aligned.
      const auth = await verify(bytesOf(copy), copy.mailFrom);
      const listSig = auth.dkim.signatures.find((s) => s.domain === domain);
      expect(listSig?.result).toBe("pass");
      const sigHeader = /^DKIM-Signature:[\s\S]*?(?=\r\n\S)/m.exec(text)![0].replace(/\s+/g, "");
      expect(sigHeader).toContain(`d=${domain}`);
      const signed = /h=([^;]+)/.exec(sigHeader)![1]!.toLowerCase().split(":");
      expect(signed).toEqual(
        expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post", "from", "subject", "list-id"]),
      );
      expect(auth.arc.result).toBe("pass");
      expect(auth.arc.instance).toBe(1);
      expect(auth.dmarc.result).toBe("pass");
      expect(text).toMatch(/^ARC-Authentication-Results: i=1; mx\.facteur\.test;/m);
    }
  });

  it("a forged post (member From at a p=reject domain, DKIM failing) is never distributed", async () => {
    const team = `team-${uid()}@${domain}`;
    await createList({ address: team, name: "Team", policy: "members", nonMemberAction: "hold" }, [
      { address: "alice@author.test" },
      { address: address("m") },
    ]);
    const e = listEnv();
    const forger = testKey("forger.test");
    // Signed by another domain's key and then altered: no aligned pass, DMARC fails.
    const forged = (await dkimSigned(fixture(listPostForged, { list: team }), forger)).replace(
      "Hello.",
      "Wire the money.",
    );
    const c = await post(e, forged, team);
    const row = await logRow(team);
    // Facteur's dmarc-reject rule refuses it at SMTP (p=reject); had it passed routing, the
    // posting chain would have held it (see the members-policy unit tests).
    expect(c.rejected).toMatch(/^550 5\.7\.1 /);
    expect([row?.decision, row?.rule]).toEqual(["rejected", "dmarc-reject"]);
    expect(e.FANOUT_QUEUE.jobs).toHaveLength(0);
  });

  it("a member at a p=none domain who does not authenticate is held, with a notice to the moderators", async () => {
    const team = `team-${uid()}@${domain}`;
    const moderator = address("mod");
    await createList({ address: team, name: "Team", policy: "members", nonMemberAction: "hold" }, [
      { address: "bob@relaxed.test" },
      { address: moderator, role: "moderator" },
    ]);
    const e = listEnv();
    const c = await post(e, fixture(listPostUnauthenticatedMember, { list: team }), team, "bob@relaxed.test");
    expect(c.rejected).toBeUndefined();
    const row = await logRow(team);
    expect(row?.decision).toBe("held");
    expect(row?.rule).toBe("list:unauthenticated-member");
    expect(e.FANOUT_QUEUE.jobs).toHaveLength(0);
    const held = await env.DB.prepare("SELECT * FROM held_messages WHERE list_address = ?")
      .bind(team)
      .first<{ id: string; r2_key: string; token: string }>();
    expect(held).not.toBeNull();
    expect(await env.MAIL.get(held!.r2_key)).not.toBeNull();
    // The moderator's notice went through the relay with the token in Reply-To.
    expect(e.DELIVERY_QUEUE.jobs).toHaveLength(1);
    expect(e.DELIVERY_QUEUE.jobs[0]!.origin).toBe("notice");
    await deliverAll(e, e.DELIVERY_QUEUE.jobs.splice(0));
    const notice = (await received(moderator))[0]!;
    expect(notice.raw).toContain(
      `Reply-To: <${team.replace("@", "-confirm+").replace(/-confirm\+/, "-confirm+")}`.split("+")[0]!,
    );
    expect(notice.raw).toContain(`+${held!.token}@${domain}>`);
  });

  it("runs through the Worker's own queue() and scheduled() entry points", async () => {
    const team = `team-${uid()}@${domain}`;
    const reader = address("q");
    await createList({ address: team, name: "Team", policy: "open" }, [{ address: reader }]);
    const e = listEnv();
    await post(e, fixture(listPostOpen, { list: team }), team, "carol@relaxed.test");
    const pages = e.FANOUT_QUEUE.jobs.splice(0);
    expect(pages).toHaveLength(1);
    const batch = createMessageBatch("facteur-fanout", [
      { id: `q-${uid()}`, timestamp: new Date(), attempts: 1, body: pages[0] },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<never>, e, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    expect(e.DELIVERY_QUEUE.jobs.flatMap((j) => j.recipients.map((r) => r.rcpt))).toEqual([reader]);
    // scheduled(): a held post past its list's hold period is swept.
    const moderatedList = `team-${uid()}@${domain}`;
    await createList({ address: moderatedList, name: "Mod", policy: "moderated" });
    await post(e, fixture(listPostOpen, { list: moderatedList }), moderatedList, "carol@relaxed.test");
    expect((await logRow(moderatedList))?.rule).toBe("list:moderated");
    const held = await env.DB.prepare("SELECT id FROM held_messages WHERE list_address = ?")
      .bind(moderatedList)
      .first<{ id: string }>();
    expect(held).not.toBeNull();
    const later = Date.now() + 15 * 86_400_000;
    await worker.scheduled(createScheduledController({ scheduledTime: later, cron: "*/15 * * * *" }), e, ctx);
    expect(await env.DB.prepare("SELECT id FROM held_messages WHERE id = ?").bind(held!.id).first()).toBeNull();
  });
});
