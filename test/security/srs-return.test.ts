/**
 * The SRS return path through email(): an SRS address accepts only bounces (null sender or a
 * delivery report), its hash is 10 base32 characters that survive case folding, the old 4-char
 * base64 hashes are refused, and a rewritten local part never exceeds 64 octets.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { srsForward } from "../../src/mail/srs";
import { insertAlias } from "../../src/store/aliases";
import { insertDomain } from "../../src/store/domains";
import { emailMessage, mail } from "../helpers/email";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const zone: Zone = { "_dmarc.origin.test": { TXT: ["v=DMARC1; p=none"] } };
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
const DOMAIN = "srs-return.test";

async function deliver(raw: string, to: string, from: string) {
  const captured = emailMessage(raw, { from, to });
  await worker.email(captured.message, env, {} as ExecutionContext);
  return captured;
}

async function deliveriesFor(rcpt: string) {
  const { results } = await env.DB.prepare("SELECT rcpt, mail_from FROM deliveries WHERE rcpt = ?")
    .bind(rcpt)
    .all<{ rcpt: string; mail_from: string }>();
  return results;
}

function report(to: string): string {
  return [
    "From: MAILER-DAEMON@mx.receiver.test",
    `To: ${to}`,
    "Subject: Undelivered Mail Returned to Sender",
    "Message-ID: <report-1@mx.receiver.test>",
    "Date: Wed, 25 Nov 2026 09:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type="delivery-status"; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain",
    "",
    "failed",
    "--b",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.receiver.test",
    "",
    "Final-Recipient: rfc822; gone@receiver.test",
    "Action: failed",
    "Status: 5.1.1",
    "--b--",
    "",
  ].join("\r\n");
}

/** The hash Facteur wrote before: HMAC-SHA256, base64, 4 characters (libsrs2's default length). */
async function oldSrs0(local: string, domain: string, now: number): Promise<string> {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const day = Math.floor(now / 86_400_000) % 1024;
  const stamp = alphabet[(day >> 5) & 31]! + alphabet[day & 31]!;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(env.SRS_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`${stamp}${domain}${local}`.toLowerCase()),
  );
  const hash = btoa(String.fromCharCode(...new Uint8Array(mac))).slice(0, 4);
  return `SRS0=${hash}=${stamp}=${domain}=${local}@${DOMAIN}`;
}

beforeAll(async () => {
  await env.DB.batch([
    insertDomain(env.DB, { name: DOMAIN }),
    insertAlias(env.DB, { address: `fwd@${DOMAIN}`, domain: DOMAIN, destinations: ["far@elsewhere.test"] }),
  ]);
});

describe("SRS addresses accept only bounces", () => {
  it("refuses ordinary mail from a real sender to a valid SRS address (550 5.7.1): no relaying to the original sender", async () => {
    const srs = await srsForward("carol@origin.test", DOMAIN, env.SRS_SECRET);
    const spam = mail({ From: "spammer@evil.test", To: srs, Subject: "Buy now" }, "<a href=x>x</a>\r\n");
    const c = await deliver(spam, srs, "spammer@evil.test");
    expect(c.rejected).toBe("550 5.7.1 An SRS address accepts only bounces (null sender or delivery report)");
    expect(await deliveriesFor("carol@origin.test")).toEqual([]);
  });

  it("returns a null-sender bounce, and a delivery report with a sender, to the original sender", async () => {
    const srs = await srsForward("dave@origin.test", DOMAIN, env.SRS_SECRET);
    expect((await deliver(report(srs), srs, "")).rejected).toBeUndefined();
    expect((await deliver(report(srs), srs, "bounces@mx.receiver.test")).rejected).toBeUndefined();
    expect((await deliveriesFor("dave@origin.test")).map((r) => r.mail_from)).toEqual(["", ""]);
  });
});

describe("the SRS hash", () => {
  it("is 10 base32 characters and survives an MTA folding the case of the address", async () => {
    const srs = await srsForward("Erin@Origin.test", DOMAIN, env.SRS_SECRET);
    expect(srs).toMatch(/^SRS0=[A-Z2-7]{10}=[A-Z2-7]{2}=Origin\.test=Erin@/);
    for (const folded of [srs.toLowerCase(), srs.toUpperCase()]) {
      expect((await deliver(report(folded), folded, "")).rejected, folded).toBeUndefined();
    }
  });

  it("no longer accepts an old 4-character base64 hash (about 21 bits, guessable)", async () => {
    const old = await oldSrs0("frank", "origin.test", Date.now());
    const c = await deliver(report(old), old, "");
    expect(c.rejected).toBe("550 5.7.1 Invalid SRS address (forged): not a bounce of ours");
    expect(await deliveriesFor("frank@origin.test")).toEqual([]);
  });

  it("keeps a rewritten local part within 64 octets: a sender too long for SRS leaves with the null sender", async () => {
    const short = "gina@origin.test";
    const long = `${"g".repeat(40)}@origin.test`;
    for (const sender of [short, long]) {
      const c = await deliver(mail({ From: sender, To: `fwd@${DOMAIN}` }), `fwd@${DOMAIN}`, sender);
      expect(c.rejected).toBeUndefined();
    }
    const senders = (await deliveriesFor("far@elsewhere.test")).map((r) => r.mail_from);
    expect(senders).toHaveLength(2);
    expect(senders[0]).toMatch(/^SRS0=/);
    expect(senders[1]).toBe("");
    for (const s of senders) expect(s.slice(0, Math.max(0, s.lastIndexOf("@"))).length).toBeLessThanOrEqual(64);
  });
});
