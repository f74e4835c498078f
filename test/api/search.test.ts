/**
 * Server-side search: a list's members by text over the whole list (not just the first page),
 * and the inbound log by text and received time, with % and _ taken literally.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { insertMessageLog } from "../../src/store/messages";
import { uid } from "../deliver/helpers";
import { call, createDomainFixture, jsonOf, ok } from "./helpers";

describe("server-side search", () => {
  it("finds a member beyond the first page by address or display name", async () => {
    const domain = `search-${uid()}.test`;
    await createDomainFixture(domain);
    const list = `team@${domain}`;
    await ok(await call("POST", "/api/v1/lists", { body: { address: list, name: "Team" } }), 201);
    const members = Array.from({ length: 150 }, (_, i) => ({
      address: `m${String(i).padStart(3, "0")}@members.example`,
      ...(i === 149 ? { display_name: "Zoë 100%_Last" } : {}),
    }));
    await ok(await call("POST", `/api/v1/lists/${list}/members`, { body: { members, skip_confirmation: true } }), 201);
    const byAddress = await jsonOf(await call("GET", `/api/v1/lists/${list}/members?limit=20&q=M148`));
    expect(byAddress.items.map((m: { address: string }) => m.address)).toEqual(["m148@members.example"]);
    const byName = await jsonOf(
      await call("GET", `/api/v1/lists/${list}/members?limit=20&q=${encodeURIComponent("100%_")}`),
    );
    expect(byName.items.map((m: { address: string }) => m.address)).toEqual(["m149@members.example"]);
    // "_" is literal: m1_0 matches nothing, where a wildcard would match m100…m109.
    const literal = await jsonOf(await call("GET", `/api/v1/lists/${list}/members?q=m1_0`));
    expect(literal.items).toEqual([]);
  });

  it("filters the inbound log by text and by received time", async () => {
    const domain = `log-${uid()}.test`;
    const base = Date.parse("2026-11-20T10:00:00Z");
    const entry = (id: string, at: number, subject: string) =>
      insertMessageLog(env.DB, {
        id,
        receivedAt: at,
        mailFrom: "sender@remote.example",
        rcptTo: `rcpt@${domain}`,
        domain,
        messageId: null,
        subject,
        fromHeader: "Sender <sender@remote.example>",
        size: 10,
        auth: null,
        decision: "forwarded",
        rule: null,
        smtpReply: null,
        reason: null,
        destinations: [],
      });
    const tag = uid();
    await env.DB.batch([
      entry(`a-${tag}`, base, `Invoice ${tag} early`),
      entry(`b-${tag}`, base + 3_600_000, `Invoice ${tag} late`),
      entry(`c-${tag}`, base + 3_600_000, "Unrelated"),
    ]);
    const text = await jsonOf(await call("GET", `/api/v1/messages?rcpt=rcpt@${domain}&q=invoice%20${tag}`));
    expect(text.items.map((m: { id: string }) => m.id).sort()).toEqual([`a-${tag}`, `b-${tag}`]);
    const since = encodeURIComponent(new Date(base + 1000).toISOString());
    const late = await jsonOf(await call("GET", `/api/v1/messages?rcpt=rcpt@${domain}&q=${tag}&since=${since}`));
    expect(late.items.map((m: { id: string }) => m.id)).toEqual([`b-${tag}`]);
    const until = encodeURIComponent(new Date(base + 1000).toISOString());
    const early = await jsonOf(await call("GET", `/api/v1/messages?rcpt=rcpt@${domain}&until=${until}`));
    expect(early.items.map((m: { id: string }) => m.id)).toEqual([`a-${tag}`]);
    expect((await call("GET", "/api/v1/messages?since=yesterday")).status).toBe(400);
    const one = await jsonOf(await call("GET", `/api/v1/messages/b-${tag}`));
    expect(one.subject).toBe(`Invoice ${tag} late`);
    expect((await call("GET", `/api/v1/messages/nope-${tag}`)).status).toBe(404);
  });
});
