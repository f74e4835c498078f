/**
 * Alias options through email() and the API: expiry, a disabled alias's behaviour (the chosen
 * reply, or silent discard), blocked contacts (reject or discard), "block this sender" from the
 * inbound log, the per-alias counters, the domain default, contacts created to write first.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createTokenFixture, ok } from "../api/helpers";
import { mail } from "../helpers/email";
import { dkimSigned } from "../helpers/keys";
import { deliver, headerOf, ownerKey, queuedFor, servedDomain } from "./helpers";

const D = "opt.test";
const OWNER = "owner@home.test";

async function alias(local: string, options: Record<string, unknown> = {}): Promise<string> {
  const address = `${local}@${D}`;
  await ok(await call("POST", "/api/v1/aliases", { body: { address, owner: "opt-owner" } }), 201);
  if (Object.keys(options).length) {
    await ok(await call("PATCH", `/api/v1/aliases/${address}/options`, { body: options }));
  }
  return address;
}

async function send(to: string, from = "carol@ext.test", subject = "hello") {
  const captured = await deliver(mail({ From: from, To: to, Subject: subject }), { from, to });
  const row = await env.DB.prepare(
    "SELECT id, decision, rule FROM messages WHERE rcpt_to = ?1 ORDER BY id DESC LIMIT 1",
  )
    .bind(to)
    .first<{ id: string; decision: string; rule: string }>();
  return { captured, row };
}

async function counters(address: string) {
  return (await ok<{ counters: Record<string, number> }>(await call("GET", `/api/v1/aliases/${address}/options`)))
    .counters;
}

beforeAll(async () => {
  await servedDomain(D);
  await ok(await call("POST", "/api/v1/users", { body: { name: "opt-owner", mailboxes: [OWNER] } }), 201);
});

describe("alias expiry", () => {
  it("rejects an expired alias with 5.2.1, and forwards one that expires later", async () => {
    const past = await alias("past", { expires_at: "2020-01-01T00:00:00.000Z" });
    const expired = await send(past);
    expect(expired.captured.rejected).toBe(`550 5.2.1 Mailbox ${past} is expired`);
    expect(expired.row?.rule).toBe("alias-disabled");
    const future = await alias("future", { expires_at: "2999-01-01T00:00:00.000Z" });
    const live = await send(future);
    expect(live.captured.rejected).toBeUndefined();
    expect(live.row?.decision).toMatch(/forwarded|relayed/);
  });

  it("discards an expired alias silently when set to discard", async () => {
    const quiet = await alias("quiet", { expires_at: "2020-01-01T00:00:00.000Z", disabled_action: "discard" });
    const result = await send(quiet);
    expect(result.captured.rejected).toBeUndefined();
    expect(result.captured.forwards).toEqual([]);
    expect(result.row?.decision).toBe("discarded");
    const queued = await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE message_log_id = ?1")
      .bind(result.row?.id)
      .first();
    expect(queued).toEqual({ n: 0 });
  });
});

describe("a disabled alias", () => {
  it("rejects with the owner's chosen reply", async () => {
    const retired = await alias("retired", { disabled_reply: "This address is retired, write to shop@opt.test" });
    await ok(await call("PATCH", `/api/v1/aliases/${retired}`, { body: { enabled: false } }));
    const result = await send(retired);
    expect(result.captured.rejected).toBe("550 5.2.1 This address is retired, write to shop@opt.test");
  });

  it("discards silently when set to discard", async () => {
    const gone = await alias("gone", { disabled_action: "discard" });
    await ok(await call("PATCH", `/api/v1/aliases/${gone}`, { body: { enabled: false } }));
    const result = await send(gone);
    expect(result.captured.rejected).toBeUndefined();
    expect(result.captured.forwards).toEqual([]);
    expect(result.row?.decision).toBe("discarded");
    expect(await counters(gone)).toEqual({ forwarded: 0, blocked: 1, replied: 0 });
  });

  it("refuses a reply text with a line break (it would be an SMTP reply)", async () => {
    const address = await alias("bad-reply");
    const res = await call("PATCH", `/api/v1/aliases/${address}/options`, { body: { disabled_reply: "a\r\n250 ok" } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("disabled_reply");
  });
});

describe("blocking a sender", () => {
  it("blocks the From author of a logged message for its alias: 550 5.7.1, others still forwarded", async () => {
    const shop = await alias("block-me");
    const first = await send(shop, "spam@ext.test");
    expect(first.captured.rejected).toBeUndefined();
    const blocked = await ok<{ address: string; blocked: boolean }>(
      await call("POST", `/api/v1/messages/${first.row?.id}/block-sender`),
    );
    expect(blocked).toMatchObject({ address: "spam@ext.test", blocked: true });
    const again = await send(shop, "spam@ext.test");
    expect(again.captured.rejected).toBe("550 5.7.1 Message refused by the recipient");
    expect(again.row?.rule).toBe("blocked-contact");
    expect((await send(shop, "friend@ext.test")).captured.rejected).toBeUndefined();
    expect(await counters(shop)).toEqual({ forwarded: 2, blocked: 1, replied: 0 });
  });

  it("discards a blocked contact's mail when the alias says so, and unblocks through the API", async () => {
    const shop = await alias("block-quiet", { blocked_action: "discard" });
    const contact = await ok<{ id: string }>(
      await call("POST", `/api/v1/aliases/${shop}/contacts`, { body: { address: "spam@ext.test", blocked: true } }),
      201,
    );
    const dropped = await send(shop, "spam@ext.test");
    expect(dropped.captured.rejected).toBeUndefined();
    expect(dropped.row?.decision).toBe("discarded");
    await ok(await call("PATCH", `/api/v1/aliases/${shop}/contacts/${contact.id}`, { body: { blocked: false } }));
    expect((await send(shop, "spam@ext.test")).row?.decision).toMatch(/forwarded|relayed/);
  });

  it("checks the caller's scope on the log row's domain", async () => {
    const shop = await alias("scoped");
    const logged = await send(shop, "x@ext.test");
    await ok(await call("POST", "/api/v1/domains", { body: { name: "elsewhere-opt.test" } }), 201);
    const other = await createTokenFixture(["domain:elsewhere-opt.test"]);
    const res = await call("POST", `/api/v1/messages/${logged.row?.id}/block-sender`, { token: other.token });
    expect(res.status).toBe(403);
    const list = await call("GET", `/api/v1/aliases/${shop}/contacts`, { token: other.token });
    expect(list.status).toBe(403);
  });
});

describe("contacts and the domain default", () => {
  it("turns reverse aliases on for the domain's aliases that do not say otherwise", async () => {
    const shop = await alias("default-on");
    await ok(await call("PUT", `/api/v1/domains/${D}/reverse-aliases`, { body: { default: true } }));
    await send(shop, "dora@ext.test");
    expect(headerOf((await queuedFor(OWNER))?.raw ?? "")).toMatch(
      /^From: "dora at ext\.test" <rv-[a-z2-7]{26}@opt\.test>$/m,
    );
    const page = await ok<{ items: { address: string; reverse_address: string }[] }>(
      await call("GET", `/api/v1/aliases/${shop}/contacts`),
    );
    expect(page.items.map((i) => i.address)).toEqual(["dora@ext.test"]);
    await ok(await call("PUT", `/api/v1/domains/${D}/reverse-aliases`, { body: { default: false } }));
  });

  it("creates a contact to write first: the owner's mail to its reverse address reaches the stranger as the alias", async () => {
    const shop = await alias("first");
    const contact = await ok<{ reverse_address: string }>(
      await call("POST", `/api/v1/aliases/${shop}/contacts`, { body: { address: "erin@ext.test" } }),
      201,
    );
    expect(contact.reverse_address).toMatch(/^rv-[a-z2-7]{26}@opt\.test$/);
    const raw = await dkimSigned(mail({ From: OWNER, To: contact.reverse_address, Subject: "Hello first" }), ownerKey);
    const captured = await deliver(raw, { from: OWNER, to: contact.reverse_address });
    expect(captured.rejected).toBeUndefined();
    const sent = await queuedFor("erin@ext.test");
    expect(headerOf(sent?.raw ?? "")).toMatch(/^From: first@opt\.test$/m);
    expect(sent?.raw).not.toContain(OWNER);
    expect(await counters(shop)).toMatchObject({ replied: 1 });
  });
});
