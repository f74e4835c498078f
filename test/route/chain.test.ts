/**
 * The real inbound chain (src/route/chain.ts), not a chain built for the test: its exact order,
 * every rule module of src/route/rules/ wired into it, and for each pair of neighbours a message
 * both would decide, which the earlier one must win. Reordering, dropping or forgetting a rule
 * fails here.
 */
import { describe, expect, it } from "vitest";
import type { AuthResults } from "../../src/authenticate";
import type { Config } from "../../src/core/config";
import { parseReceived } from "../../src/receive";
import { INBOUND_CHAIN, runChain } from "../../src/route/chain";
import type { RouteContext, Rule } from "../../src/route/types";
import type { RoutingFacts } from "../../src/store/routing";

/** The order, and why (RFC 5321 section 6.3 loops first; DMARC before anything is accepted). */
const EXPECTED_ORDER = [
  "loop-marker", // our own marker: the cheapest loop signal
  "too-many-received", // hop count
  "unknown-domain", // 5.1.2 before any alias lookup
  "report-address", // report addresses: filed or discarded, never taken by a list or an alias
  "srs-return", // bounces to our SRS addresses
  "header-from", // exactly one From, one author domain
  "dmarc-reject", // p=reject honoured before any list or alias takes the message
  "reverse-address", // a reverse address: the owner's authenticated reply, else 5.7.1
  "list-address", // before aliases: no pattern or catch-all can capture a list address
  "alias-disabled", // disabled or expired, with the owner's chosen reply or discard
  "blocked-contact", // a blocked sender of the alias
  "reverse-alias", // accepted with reverse aliases on
  "alias",
  "no-such-user", // nothing matched: always decides, so it ends the chain
];

const config: Config = {
  authservId: "mx.test",
  dohUrl: "https://dns.test/dns-query",
  maxMessageBytes: 1000,
  maxReceivedHeaders: 3,
  trustedReceivers: null,
  srsSecret: "s",
};

type Over = {
  facts?: Partial<RoutingFacts>;
  dmarc?: AuthResults["dmarc"];
  srs?: RouteContext["srs"];
};

function context(headers: string, over: Over = {}): RouteContext {
  const parsed = parseReceived("a@author.test", "user+tag@d.test", new TextEncoder().encode(`${headers}\r\n\r\nbody`));
  if (!parsed.ok) throw new Error("fixture does not parse");
  const none = { result: "none", comment: "" };
  return {
    message: parsed.message,
    auth: {
      dkim: { ...none, signatures: [] },
      spf: none,
      arc: { ...none, instance: 0 },
      dmarc: over.dmarc ?? none,
      fromDomains: ["author.test"],
      authenticated: false,
      header: "mx.test; none",
      arcData: undefined,
    },
    recipient: { local: "user+tag", domain: "d.test", address: "user+tag@d.test" },
    facts: {
      domain: { name: "d.test", enabled: true, catchAll: null },
      candidates: [],
      verified: new Set(),
      localDomains: new Set(["d.test"]),
      fullKey: "user+tag@d.test",
      baseKey: "user@d.test",
      tag: "tag",
      list: null,
      reportLocals: null,
      ...over.facts,
    },
    config,
    srs: over.srs ?? null,
  };
}

const FROM = "From: a@author.test";
const HOPS = "Received: a\r\nReceived: b\r\nReceived: c\r\nReceived: d"; // one over maxReceivedHeaders
const DMARC_FAIL_REJECT = { result: "fail", comment: "", policy: "reject" };
/** The recipient (user+tag@d.test) as the domain's DMARC report address. */
const REPORTS = { dmarc: "user+tag", tls: "tls-reports" };
const LIST = { address: "user@d.test", lookup: "user@d.test", enabled: true };
const EXACT_ALIAS = {
  address: "user+tag@d.test",
  lookup: "user+tag@d.test",
  isPattern: false,
  literalLength: 8,
  enabled: true,
  destinations: ["x@x.test"],
};

const OPTIONS = {
  reverse: false,
  expired: false,
  disabledAction: "reject",
  disabledReply: null,
  blockedAction: "reject",
} as const;
const EXPIRED = new Map([["user+tag@d.test", { ...OPTIONS, expired: true }]]);
const REVERSE_ON = new Map([["user+tag@d.test", { ...OPTIONS, reverse: true }]]);
const BLOCKED = new Map([["user+tag@d.test", { id: "c1", blocked: true }]]);
const REVERSE = {
  contactId: "c1",
  correspondent: "alice@ext.test",
  blocked: false,
  alias: "shop@d.test",
  aliasLookup: "shop@d.test",
  ownerMailboxes: ["owner@home.test"],
};

function isRule(value: unknown): value is Rule {
  const v = value as Partial<Rule> | null;
  return typeof v === "object" && v !== null && typeof v.name === "string" && typeof v.check === "function";
}

const byName = (name: string) => {
  const rule = INBOUND_CHAIN.find((r) => r.name === name);
  if (!rule) throw new Error(`${name} is not in INBOUND_CHAIN`);
  return rule;
};

describe("INBOUND_CHAIN", () => {
  it("runs exactly these rules, in this order", () => {
    expect(INBOUND_CHAIN.map((r) => r.name)).toEqual(EXPECTED_ORDER);
  });

  it("holds every rule exported from src/route/rules/", () => {
    const modules = import.meta.glob("../../src/route/rules/*.ts", { eager: true });
    const rules = Object.values(modules)
      .flatMap((m) => Object.values(m as object))
      .filter(isRule);
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const rule of rules) expect(INBOUND_CHAIN, `${rule.name} is not wired into the chain`).toContain(rule);
  });

  // Each row: a context that both neighbours decide on their own; the chain must pick the first.
  it.each<[string, string, string, Over]>([
    ["loop-marker", "too-many-received", `${HOPS}\r\nX-Facteur-Loop: user+tag@d.test\r\n${FROM}`, {}],
    ["too-many-received", "unknown-domain", `${HOPS}\r\n${FROM}`, { facts: { domain: null } }],
    ["unknown-domain", "report-address", FROM, { facts: { domain: null, reportLocals: REPORTS } }],
    ["report-address", "srs-return", FROM, { facts: { reportLocals: REPORTS }, srs: { ok: false, reason: "forged" } }],
    ["srs-return", "header-from", "Subject: no From", { srs: { ok: true, original: "orig@x.test" } }],
    ["header-from", "dmarc-reject", `${FROM}\r\n${FROM}`, { dmarc: DMARC_FAIL_REJECT }],
    ["dmarc-reject", "list-address", FROM, { dmarc: DMARC_FAIL_REJECT, facts: { list: LIST } }],
    ["dmarc-reject", "reverse-address", FROM, { dmarc: DMARC_FAIL_REJECT, facts: { reverse: REVERSE } }],
    ["reverse-address", "list-address", FROM, { facts: { reverse: REVERSE, list: LIST } }],
    [
      "list-address",
      "alias-disabled",
      FROM,
      { facts: { list: LIST, candidates: [EXACT_ALIAS], aliasOptions: EXPIRED } },
    ],
    [
      "alias-disabled",
      "blocked-contact",
      FROM,
      { facts: { candidates: [EXACT_ALIAS], aliasOptions: EXPIRED, senderContacts: BLOCKED } },
    ],
    [
      "blocked-contact",
      "reverse-alias",
      FROM,
      { facts: { candidates: [EXACT_ALIAS], aliasOptions: REVERSE_ON, senderContacts: BLOCKED } },
    ],
    ["reverse-alias", "alias", FROM, { facts: { candidates: [EXACT_ALIAS], aliasOptions: REVERSE_ON } }],
    ["list-address", "alias", FROM, { facts: { list: LIST, candidates: [EXACT_ALIAS] } }],
    ["alias", "no-such-user", FROM, { facts: { candidates: [EXACT_ALIAS] } }],
  ])("%s decides before %s", (first, second, headers, over) => {
    const ctx = context(headers, over);
    expect(byName(first).check(ctx)?.rule).toBe(first);
    expect(byName(second).check(ctx)?.rule).toBe(second);
    expect(runChain(INBOUND_CHAIN, ctx).rule).toBe(first);
  });

  it("ends with a rule that always decides", () => {
    expect(runChain(INBOUND_CHAIN, context(FROM)).rule).toBe("no-such-user");
  });
});
