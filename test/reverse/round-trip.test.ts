/**
 * Reverse aliases through email(): stranger → alias → owner's copy with a reverse From → owner
 * replies → the stranger gets it from the alias with no trace of the owner; forged replies refused;
 * threading headers survive.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { updateAliasOptions } from "../../src/store/alias-options";
import { insertAlias } from "../../src/store/aliases";
import { insertUser } from "../../src/store/users";
import { mail } from "../helpers/email";
import { dkimSigned } from "../helpers/keys";
import { deliver, expectDkimPass, headerOf, ownerKey, queuedFor, servedDomain, strangerKey } from "./helpers";

const OWNER = "owner@home.test";
const REVERSE = /^From: "alice at ext\.test" <(rv-[a-z2-7]{26}@rev\.test)>$/m;

beforeAll(async () => {
  await servedDomain("rev.test");
  await env.DB.batch(insertUser(env.DB, { name: "din", passwordHash: null, isAdmin: false, mailboxes: [OWNER] }));
  await insertAlias(env.DB, { address: "shop@rev.test", domain: "rev.test", destinations: null, owner: "din" }).run();
  await updateAliasOptions(env.DB, "shop@rev.test", { reverseAliases: true });
  await insertAlias(env.DB, { address: "plain@rev.test", domain: "rev.test", destinations: null, owner: "din" }).run();
});

async function strangerWrites(subject: string, messageId: string): Promise<string> {
  const raw = await dkimSigned(
    mail({ From: "Alice <alice@ext.test>", To: "shop@rev.test", Subject: subject, "Message-ID": messageId }),
    strangerKey,
  );
  const captured = await deliver(raw, { from: "alice@ext.test", to: "shop@rev.test" });
  expect(captured.rejected).toBeUndefined();
  // From is rewritten, which forward() cannot carry: the owner's copy goes through the relay.
  expect(captured.forwards).toEqual([]);
  const copy = await queuedFor(OWNER);
  expect(copy?.raw).toContain(`Message-ID: ${messageId}`);
  return copy?.raw ?? "";
}

function ownerReply(reverse: string, inReplyTo: string, body: string): string {
  const fields = {
    Received:
      "from laptop.home.test (owner@home.test [203.0.113.9]) by smtp.home.test; Wed, 25 Nov 2026 09:05:00 +0000",
    "X-Originating-IP": "[203.0.113.9]",
    "User-Agent": "Thunderbird/128 (owner@home.test)",
    "X-Mailer": "HomeMail 2.1",
    From: `"Din Owner" <${OWNER}>`,
    To: `"alice at ext.test" <${reverse}>`,
    Cc: `Din <${OWNER}>`,
    Subject: "Re: order 42",
    "Message-ID": "<reply-1@smtp.home.test>",
    "In-Reply-To": inReplyTo,
    References: `<older@ext.test> ${inReplyTo}`,
  };
  return mail(fields, body);
}

describe("reverse aliases: the round trip", () => {
  let reverse = "";

  it("gives the owner a copy From and Reply-To a reverse address, DKIM-signed by the alias domain", async () => {
    const copy = await strangerWrites("order 42", "<order-42@ext.test>");
    const header = headerOf(copy);
    reverse = REVERSE.exec(header)?.[1] ?? "";
    expect(reverse).not.toBe("");
    expect(reverse.split("@")[0]!.length).toBeLessThanOrEqual(64);
    expect(header).toContain(`Reply-To: "alice at ext.test" <${reverse}>`);
    expect(header).not.toMatch(/^From: .*alice@ext\.test/m);
    await expectDkimPass(copy, "rev.test");
    const contact = await env.DB.prepare("SELECT * FROM contacts WHERE reverse_local = ?1")
      .bind(reverse.split("@")[0])
      .first<{ alias: string; address: string }>();
    expect(contact).toMatchObject({ alias: "shop@rev.test", address: "alice@ext.test" });
  });

  it("binds one reverse address per (alias, correspondent): the second message reuses it", async () => {
    const copy = await strangerWrites("again", "<again@ext.test>");
    expect(REVERSE.exec(headerOf(copy))?.[1]).toBe(reverse);
  });

  it("sends the owner's reply to the stranger from the alias, with no trace of the owner", async () => {
    const body = `Thanks!\r\n\r\nOn Wed, Din Owner <${OWNER.toUpperCase()}> wrote:\r\n> earlier\r\n`;
    const raw = await dkimSigned(ownerReply(reverse, "<order-42@ext.test>", body), ownerKey);
    const captured = await deliver(raw, { from: OWNER, to: reverse });
    expect(captured.rejected).toBeUndefined();
    const sent = await queuedFor("alice@ext.test");
    const bytes = sent?.raw ?? "";
    const header = headerOf(bytes);
    expect(header).toMatch(/^From: shop@rev\.test$/m);
    expect(header).toMatch(/^To: alice@ext\.test$/m);
    // Threading survives (RFC 5322 section 3.6.4).
    expect(header).toMatch(/^In-Reply-To: <order-42@ext\.test>$/m);
    expect(header).toMatch(/^References: <older@ext\.test> <order-42@ext\.test>$/m);
    expect(header).toMatch(/^Message-ID: <[0-9a-f]+@rev\.test>$/m);
    // No trace of the owner anywhere in the captured bytes, envelope included.
    expect(bytes.toLowerCase()).not.toContain("owner@home.test");
    expect(bytes.toLowerCase()).not.toContain("home.test");
    expect(bytes).not.toContain("203.0.113.9");
    expect(header).not.toMatch(/^(Received|X-Originating-IP|User-Agent|X-Mailer|ARC-[A-Za-z-]+):/im);
    expect(sent?.mailFrom).toBe("shop@rev.test");
    expect(bytes).toContain("On Wed, Din Owner <shop@rev.test> wrote:");
    await expectDkimPass(bytes, "rev.test");
    expect(header.match(/^DKIM-Signature:/gim)).toHaveLength(1);
  });

  it("counts forwarded and replied per alias", async () => {
    const row = await env.DB.prepare(
      "SELECT forwarded_count, replied_count FROM aliases WHERE address = 'shop@rev.test'",
    ).first<{ forwarded_count: number; replied_count: number }>();
    expect(row).toEqual({ forwarded_count: 2, replied_count: 1 });
  });

  it("refuses a reply to the reverse address from anyone but the owner", async () => {
    const raw = mail({ From: "mallory@ext.test", To: reverse, Subject: "Re: order 42" });
    const captured = await deliver(await dkimSigned(raw, strangerKey), { from: "mallory@ext.test", to: reverse });
    expect(captured.rejected).toMatch(/^550 5\.7\.1 /);
    expect(await queuedFor("alice@ext.test")).toMatchObject({ mailFrom: "shop@rev.test" });
  });

  it("refuses the owner's From without authentication (no DKIM, DMARC does not pass)", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE rcpt = 'alice@ext.test'").first();
    const forged = ownerReply(reverse, "<order-42@ext.test>", "forged\r\n");
    const captured = await deliver(forged, { from: OWNER, to: reverse });
    expect(captured.rejected).toMatch(/^550 5\.7\.1 .*DMARC/);
    // Signed by another domain: DMARC still fails for home.test.
    const wrongKey = await dkimSigned(forged, strangerKey);
    expect((await deliver(wrongKey, { from: OWNER, to: reverse })).rejected).toMatch(/^550 5\.7\.1 /);
    const after = await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE rcpt = 'alice@ext.test'").first();
    expect(after).toEqual(before);
  });

  it("refuses a guessed reverse address as unknown", async () => {
    const guess = "rv-aaaaaaaaaaaaaaaaaaaaaaaaaa@rev.test";
    const raw = await dkimSigned(mail({ From: OWNER, To: guess, Subject: "x" }), ownerKey);
    expect((await deliver(raw, { from: OWNER, to: guess })).rejected).toMatch(/^550 5\.1\.1 /);
  });

  it("leaves an alias without reverse aliases alone: forwarded with the stranger's From", async () => {
    const raw = mail({ From: "alice@ext.test", To: "plain@rev.test", Subject: "plain" });
    const captured = await deliver(raw, { from: "alice@ext.test", to: "plain@rev.test" });
    expect(captured.rejected).toBeUndefined();
    const row = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE alias = 'plain@rev.test'").first();
    expect(row).toEqual({ n: 0 });
  });
});
