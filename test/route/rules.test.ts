/** Each inbound rule as a unit: a context in, a decision (or a pass) out, nothing else touched. */
import { describe, expect, it } from "vitest";
import type { AuthResults } from "../../src/authenticate";
import type { Config } from "../../src/core/config";
import { parseReceived } from "../../src/receive";
import { runChain } from "../../src/route/chain";
import type { Decision } from "../../src/route/decision";
import { alias, findMatch, planDestinations } from "../../src/route/rules/alias";
import { dmarcReject } from "../../src/route/rules/dmarc-reject";
import { headerFrom } from "../../src/route/rules/header-from";
import { listAddress } from "../../src/route/rules/list-address";
import { loopMarker } from "../../src/route/rules/loop-marker";
import { noSuchUser } from "../../src/route/rules/no-such-user";
import { srsReturn } from "../../src/route/rules/srs-return";
import { tooManyReceived } from "../../src/route/rules/too-many-received";
import { unknownDomain } from "../../src/route/rules/unknown-domain";
import type { RouteContext, Rule } from "../../src/route/types";
import type { AliasCandidate, RoutingFacts } from "../../src/store/routing";

const config: Config = {
  authservId: "mx.test",
  dohUrl: "https://dns.test/dns-query",
  maxMessageBytes: 1000,
  maxReceivedHeaders: 3,
  trustedReceivers: null,
  srsSecret: "s",
};

function auth(over: Partial<AuthResults> = {}): AuthResults {
  const none = { result: "none", comment: "" };
  return {
    dkim: { ...none, signatures: [] },
    spf: none,
    arc: { ...none, instance: 0 },
    dmarc: none,
    fromDomains: ["author.test"],
    authenticated: false,
    header: "mx.test; none",
    arcData: undefined,
    ...over,
  };
}

function candidate(address: string, destinations: string[], enabled = true): AliasCandidate {
  const local = address.slice(0, address.indexOf("@"));
  return {
    address,
    lookup: address.toLowerCase(),
    isPattern: local.includes("*"),
    literalLength: local.replace(/\*/g, "").length,
    enabled,
    destinations,
  };
}

function facts(over: Partial<RoutingFacts> = {}): RoutingFacts {
  return {
    domain: { name: "d.test", enabled: true, catchAll: null },
    candidates: [],
    verified: new Set(["v@gmail.com"]),
    localDomains: new Set(["d.test"]),
    fullKey: "user+tag@d.test",
    baseKey: "user@d.test",
    tag: "tag",
    list: null,
    reportLocals: null,
    ...over,
  };
}

function context(
  headers: string,
  over: { facts?: Partial<RoutingFacts>; auth?: Partial<AuthResults>; srs?: RouteContext["srs"] } = {},
): RouteContext {
  const parsed = parseReceived("a@author.test", "user+tag@d.test", new TextEncoder().encode(`${headers}\r\n\r\nbody`));
  if (!parsed.ok) throw new Error("fixture does not parse");
  return {
    message: parsed.message,
    auth: auth(over.auth),
    recipient: { local: "user+tag", domain: "d.test", address: "user+tag@d.test" },
    facts: facts(over.facts),
    config,
    srs: over.srs ?? null,
  };
}

const code = (d: Decision | undefined) => (d?.kind === "reject" ? `${d.reply.code} ${d.reply.enhanced}` : d?.kind);

describe("loop-marker", () => {
  it("rejects our marker for this recipient, ignores others", () => {
    expect(code(loopMarker.check(context("From: a@author.test\r\nX-Facteur-Loop: USER+tag@d.test")))).toBe("554 5.4.6");
    expect(loopMarker.check(context("From: a@author.test\r\nX-Facteur-Loop: other@d.test"))).toBeUndefined();
  });
});

describe("too-many-received", () => {
  it("counts Received fields against the configured hop limit", () => {
    const three = "Received: a\r\nReceived: b\r\nReceived: c\r\nFrom: a@author.test";
    expect(tooManyReceived.check(context(three))).toBeUndefined();
    expect(code(tooManyReceived.check(context(`Received: z\r\n${three}`)))).toBe("554 5.4.6");
  });
});

describe("unknown-domain", () => {
  it("rejects a missing or disabled domain with 5.1.2", () => {
    expect(code(unknownDomain.check(context("From: a@author.test", { facts: { domain: null } })))).toBe("550 5.1.2");
    const off = { domain: { name: "d.test", enabled: false, catchAll: null } };
    expect(code(unknownDomain.check(context("From: a@author.test", { facts: off })))).toBe("550 5.1.2");
    expect(unknownDomain.check(context("From: a@author.test"))).toBeUndefined();
  });
});

describe("header-from", () => {
  it("requires exactly one From field with one author domain", () => {
    expect(code(headerFrom.check(context("Subject: x")))).toBe("550 5.6.0");
    expect(code(headerFrom.check(context("From: a@author.test\r\nFrom: b@author.test")))).toBe("550 5.6.0");
    const two = { auth: { fromDomains: ["a.test", "b.test"] } };
    expect(code(headerFrom.check(context("From: a@a.test, b@b.test", two)))).toBe("550 5.7.1");
    expect(headerFrom.check(context("From: a@author.test"))).toBeUndefined();
  });

  it("rejects a From address hiding a zero-width character (the reader and DMARC see different domains)", () => {
    expect(code(headerFrom.check(context("From: ceo@bank\u200b.test")))).toBe("550 5.7.1");
  });
});

describe("dmarc-reject", () => {
  it("rejects only a DMARC failure under p=reject", () => {
    const failReject = { auth: { dmarc: { result: "fail", comment: "", policy: "reject" } } };
    const failNone = { auth: { dmarc: { result: "fail", comment: "", policy: "none" } } };
    const pass = { auth: { dmarc: { result: "pass", comment: "", policy: "reject" } } };
    expect(code(dmarcReject.check(context("From: a@author.test", failReject)))).toBe("550 5.7.1");
    expect(dmarcReject.check(context("From: a@author.test", failNone))).toBeUndefined();
    expect(dmarcReject.check(context("From: a@author.test", pass))).toBeUndefined();
  });
});

describe("srs-return", () => {
  it("returns valid SRS bounces through the relay and rejects forged ones", () => {
    const valid = { srs: { ok: true, original: "orig@x.test" } } as const;
    const report = "From: m@author.test\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b";
    const ok = srsReturn.check(context(report, valid));
    expect(ok).toMatchObject({ kind: "accept", destinations: [{ to: "orig@x.test", via: "relay" }] });
    // Not a bounce (a sender, no delivery report): refused.
    expect(code(srsReturn.check(context("From: m@author.test", valid)))).toBe("550 5.7.1");
    expect(code(srsReturn.check(context("From: m@author.test", { srs: { ok: false, reason: "expired" } })))).toBe(
      "550 5.7.1",
    );
    expect(srsReturn.check(context("From: m@author.test"))).toBeUndefined();
  });
});

describe("list-address", () => {
  const team = { address: "team@d.test", lookup: "team@d.test", enabled: true };
  const at = (local: string, list = team) => ({
    ...context("From: a@author.test", { facts: { list } }),
    recipient: { local, domain: "d.test", address: `${local}@d.test` },
  });

  it("hands each of a list's addresses to lists/, with the token after +", () => {
    expect(listAddress.check(at("team"))).toEqual({
      kind: "handoff",
      rule: "list-address",
      reason: "list-post for team@d.test",
      handoff: { kind: "list-post", list: "team@d.test" },
    });
    expect(listAddress.check(at("team-request"))).toMatchObject({ handoff: { kind: "list-request" } });
    expect(listAddress.check(at("team-owner"))).toMatchObject({ handoff: { kind: "list-owner" } });
    expect(listAddress.check(at("team-bounces+m=x.test"))).toMatchObject({
      kind: "handoff",
      handoff: { kind: "list-bounce", token: "m=x.test" },
    });
    expect(listAddress.check(at("team-confirm+t0k"))).toMatchObject({
      handoff: { kind: "list-confirm", token: "t0k" },
    });
  });

  it("refuses a disabled list (but still takes its bounces) and a confirm address without a token", () => {
    const off = { ...team, enabled: false };
    expect(code(listAddress.check(at("team", off)))).toBe("550 5.2.1");
    expect(listAddress.check(at("team-bounces+m=x.test", off))?.kind).toBe("handoff");
    expect(code(listAddress.check(at("team-confirm")))).toBe("550 5.1.1");
    expect(listAddress.check(at("other"))).toBeUndefined();
  });
});

describe("alias", () => {
  it("prefers exact over subaddress over pattern over catch-all", () => {
    const all = [
      candidate("user+tag@d.test", ["exact@x.test"]),
      candidate("user@d.test", ["base@x.test"]),
      candidate("user*@d.test", ["pattern@x.test"]),
    ];
    const catchAll = { domain: { name: "d.test", enabled: true, catchAll: ["catch@x.test"] } };
    expect(findMatch(facts({ candidates: all, ...catchAll }))?.kind).toBe("exact");
    expect(findMatch(facts({ candidates: all.slice(1), ...catchAll }))?.kind).toBe("subaddress");
    expect(findMatch(facts({ candidates: all.slice(2), ...catchAll }))?.kind).toBe("pattern");
    expect(findMatch(facts({ candidates: [], ...catchAll }))?.kind).toBe("catch-all");
    expect(findMatch(facts())).toBeUndefined();
  });

  it("lets the longest literal pattern win", () => {
    const patterns = [candidate("*@d.test", ["any@x.test"]), candidate("us*@d.test", ["us@x.test"])];
    expect(findMatch(facts({ candidates: patterns }))?.address).toBe("us*@d.test");
  });

  it("rejects a disabled alias with 5.2.1 and an empty one with 5.1.1", () => {
    const off = facts({ candidates: [candidate("user@d.test", ["a@x.test"], false)] });
    expect(code(alias.check({ ...context("From: a@author.test"), facts: off }))).toBe("550 5.2.1");
    const empty = facts({ candidates: [candidate("user@d.test", [])] });
    expect(code(alias.check({ ...context("From: a@author.test"), facts: empty }))).toBe("550 5.1.1");
  });

  it("forwards verified destinations, relays the rest with the tag where supported", () => {
    const plan = planDestinations(["V@gmail.com", "x@fastmail.com", "y@plain.test", "v@gmail.com"], facts(), "tag");
    expect(plan).toEqual([
      { to: "V@gmail.com", via: "forward" },
      { to: "x+tag@fastmail.com", via: "relay" },
      { to: "y@plain.test", via: "relay" },
    ]);
  });
});

describe("the chain", () => {
  it("always decides: no-such-user ends it", () => {
    const chain: Rule[] = [unknownDomain, alias, noSuchUser];
    expect(code(runChain(chain, context("From: a@author.test")))).toBe("550 5.1.1");
  });
});
