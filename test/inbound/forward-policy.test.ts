/**
 * Verified destinations that still go through the relay: the relay-only domains (Outlook.com and its
 * siblings refuse Email Routing's forwarding IPs) and messages the runtime marks canBeForwarded=false.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RELAY_ONLY_DOMAINS, relayOnlyDomains, splitForwardable } from "../../src/deliver/forward-policy";
import { createWorker } from "../../src/index";
import { insertAlias } from "../../src/store/aliases";
import { upsertDestination } from "../../src/store/destinations";
import { insertDomain } from "../../src/store/domains";
import unsignedPNone from "../fixtures/inbound/unsigned-p-none.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const zone: Zone = { "_dmarc.relaxed.test": { TXT: ["v=DMARC1; p=none"] } };
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
const UNSIGNED = fixture(unsignedPNone);
const VERIFIED = ["me@gmail.com", "ann@outlook.com", "Bob@Hotmail.com"];

async function deliver(to: string, testEnv: Env, canBeForwarded?: boolean) {
  const captured = emailMessage(UNSIGNED, { from: "bob@relaxed.test", to });
  if (canBeForwarded !== undefined) Object.assign(captured.message, { canBeForwarded });
  await worker.email(captured.message, testEnv, {} as ExecutionContext);
  return captured;
}

const relayed = async (alias: string) => {
  const id = await env.DB.prepare("SELECT id FROM messages WHERE rcpt_to = ? ORDER BY id DESC")
    .bind(alias)
    .first<string>("id");
  const { results } = await env.DB.prepare("SELECT rcpt FROM deliveries WHERE message_log_id = ? ORDER BY rcpt")
    .bind(id)
    .all<{ rcpt: string }>();
  return results.map((r) => r.rcpt);
};

beforeAll(async () => {
  await env.DB.batch([
    insertDomain(env.DB, { name: "policy.test" }),
    ...VERIFIED.map((a) => upsertDestination(env.DB, a, true)),
    ...["a", "b", "c", "d"].map((local) =>
      insertAlias(env.DB, { address: `${local}@policy.test`, domain: "policy.test", destinations: VERIFIED }),
    ),
  ]);
});

describe("the forward policy", () => {
  it("sends verified destinations at relay-only domains through the relay, case-insensitively", () => {
    const split = splitForwardable(
      VERIFIED.map((to) => ({ to, via: "forward" as const })),
      { relayOnlyDomains: relayOnlyDomains(undefined), canBeForwarded: undefined },
    );
    expect(split.forward.map((d) => d.to)).toEqual(["me@gmail.com"]);
    expect(split.relay).toEqual([
      { to: "ann@outlook.com", reason: "outlook.com is relay-only" },
      { to: "Bob@Hotmail.com", reason: "hotmail.com is relay-only" },
    ]);
    expect([...relayOnlyDomains(undefined)]).toEqual(DEFAULT_RELAY_ONLY_DOMAINS);
    expect([...relayOnlyDomains(" Example.org , ,live.com")]).toEqual(["example.org", "live.com"]);
    expect(relayOnlyDomains("").size).toBe(0);
  });

  it("email(): Outlook.com destinations are relayed, others forwarded; RELAY_ONLY_DOMAINS='' forwards all", async () => {
    const c = await deliver("a@policy.test", env);
    expect(c.forwards.map((f) => f.to)).toEqual(["me@gmail.com"]);
    expect(await relayed("a@policy.test")).toEqual(["Bob@Hotmail.com", "ann@outlook.com"]);
    const all = await deliver("b@policy.test", { ...env, RELAY_ONLY_DOMAINS: "" });
    expect(all.forwards.map((f) => f.to)).toEqual(VERIFIED);
    expect(await relayed("b@policy.test")).toEqual([]);
  });

  it("email(): canBeForwarded=false relays every destination; true (or absent) forwards", async () => {
    const none = await deliver("c@policy.test", { ...env, RELAY_ONLY_DOMAINS: "" }, false);
    expect(none.forwards).toEqual([]);
    expect(await relayed("c@policy.test")).toEqual(["Bob@Hotmail.com", "ann@outlook.com", "me@gmail.com"]);
    const log = await env.DB.prepare("SELECT decision FROM messages WHERE rcpt_to = 'c@policy.test'").first<string>(
      "decision",
    );
    expect(log).toBe("relayed");
    const yes = await deliver("d@policy.test", { ...env, RELAY_ONLY_DOMAINS: "" }, true);
    expect(yes.forwards.map((f) => f.to)).toEqual(VERIFIED);
  });
});
