/**
 * The posting chain as units: each rule, each policy with each non-member action, and the DMARC
 * rule in every mode (including DNS failure failing closed). No I/O: rules only decide.
 */
import { describe, expect, it } from "vitest";
import type { AuthResults } from "../../src/authenticate";
import { POSTING_CHAIN, runPostingChain } from "../../src/lists/posting-chain";
import { administrivia } from "../../src/lists/rules/administrivia";
import { autoSubmitted } from "../../src/lists/rules/auto-submitted";
import { decideDmarcMitigation } from "../../src/lists/rules/dmarc-policy";
import { loop } from "../../src/lists/rules/loop";
import { maxSize } from "../../src/lists/rules/max-size";
import type { PostContext } from "../../src/lists/rules/types";
import { type List, listAddresses, listIdOf, type Member } from "../../src/lists/types";
import { parseReceived } from "../../src/receive";
import { mail } from "../helpers/email";

const LIST: List = {
  address: "team@lists.test",
  lookup: "team@lists.test",
  domain: "lists.test",
  localPart: "team",
  name: "Team",
  description: null,
  policy: "members",
  nonMemberAction: "hold",
  dmarcMode: "auto",
  dmarcAlwaysDomains: ["gmail.com"],
  subjectPrefix: null,
  replyTo: "author",
  maxMessageBytes: 10_000,
  holdDays: 14,
  bounceThreshold: 5,
  bounceQuietDays: 7,
  archiveUrl: null,
  enabled: true,
  createdAt: 0,
  updatedAt: 0,
};

function auth(authenticated: boolean, dmarc: Partial<AuthResults["dmarc"]> = {}): AuthResults {
  const r = { result: authenticated ? "pass" : "fail", comment: "" };
  return {
    dkim: { ...r, signatures: [] },
    spf: { result: "none", comment: "" },
    arc: { result: "none", comment: "", instance: 0 },
    dmarc: { ...r, ...dmarc },
    fromDomains: ["author.test"],
    authenticated,
    header: "mx.facteur.test; dmarc=pass",
    arcData: undefined,
  };
}

function member(role: Member["role"] = "member", status: Member["status"] = "active"): Member {
  return {
    listAddress: LIST.address,
    address: "alice@author.test",
    lookup: "alice@author.test",
    verpKey: "0".repeat(16),
    displayName: null,
    role,
    status,
    receiveOwn: false,
    bounceScore: 0,
    lastBounceAt: null,
    disabledReason: null,
    createdAt: 0,
    updatedAt: 0,
  };
}

function context(
  options: {
    list?: Partial<List>;
    fields?: Record<string, string>;
    body?: string;
    member?: Member | null;
    authenticated?: boolean;
  } = {},
): PostContext {
  const list = { ...LIST, ...options.list };
  const raw = mail(
    { From: "Alice <alice@author.test>", To: list.address, Subject: "hello", ...options.fields },
    options.body,
  );
  const parsed = parseReceived("alice@author.test", list.address, new TextEncoder().encode(raw));
  if (!parsed.ok) throw new Error("fixture does not parse");
  return {
    list,
    addresses: listAddresses(list),
    listId: listIdOf(list),
    message: parsed.message,
    auth: auth(options.authenticated ?? true),
    author: "alice@author.test",
    member: options.member === undefined ? member() : options.member,
  };
}

describe("posting rules", () => {
  it("loop: our own List-Id or Facteur's loop marker for the list", () => {
    expect(loop.check(context({ fields: { "List-Id": "Team <team.lists.test>" } }))).toMatch(/List-Id/);
    expect(loop.check(context({ fields: { "X-Facteur-Loop": "team@lists.test" } }))).toMatch(/loop marker/);
    expect(loop.check(context({ fields: { "List-Id": "Other <other.lists.test>" } }))).toBeUndefined();
  });

  it("auto-submitted: RFC 3834 Auto-Submitted and Precedence bulk/junk, not Auto-Submitted: no", () => {
    expect(autoSubmitted.check(context({ fields: { "Auto-Submitted": "auto-replied" } }))).toBeDefined();
    expect(autoSubmitted.check(context({ fields: { Precedence: "bulk" } }))).toBeDefined();
    expect(autoSubmitted.check(context({ fields: { "Auto-Submitted": "no" } }))).toBeUndefined();
  });

  it("max-size: larger than the list's limit", () => {
    expect(maxSize.check(context({ body: "x".repeat(20_000) }))).toMatch(/exceeds/);
    expect(maxSize.check(context())).toBeUndefined();
  });

  it("administrivia: a command in the Subject or as a short body, not a real post mentioning it", () => {
    expect(administrivia.check(context({ fields: { Subject: "unsubscribe" } }))).toMatch(/team-request@lists\.test/);
    expect(administrivia.check(context({ fields: { Subject: "" }, body: "unsubscribe me\r\n" }))).toBeDefined();
    expect(
      administrivia.check(
        context({ fields: { Subject: "Newsletter" }, body: "How do I unsubscribe from the other list?\r\nThanks\r\n" }),
      ),
    ).toBeUndefined();
  });
});

describe("posting policies (the chain as a table)", () => {
  const verdict = (options: Parameters<typeof context>[0]) => runPostingChain(POSTING_CHAIN, context(options));

  it("open: anyone, authenticated or not", () => {
    expect(verdict({ list: { policy: "open" }, member: null, authenticated: false }).action).toBe("accept");
  });

  it.each(["hold", "reject", "discard"] as const)("members: a non-member gets the list's action (%s)", (action) => {
    const v = verdict({ list: { policy: "members", nonMemberAction: action }, member: null });
    expect([v.action, v.rule]).toEqual([action, "non-member"]);
  });

  it("members: an authenticated active member posts; unauthenticated or disabled do not", () => {
    expect(verdict({ list: { policy: "members" } }).action).toBe("accept");
    const forged = verdict({ list: { policy: "members", nonMemberAction: "reject" }, authenticated: false });
    expect([forged.action, forged.rule]).toEqual(["reject", "unauthenticated-member"]);
    expect(verdict({ list: { policy: "members" }, member: member("member", "disabled") }).rule).toBe("non-member");
    expect(verdict({ list: { policy: "members" }, member: member("member", "pending") }).rule).toBe("non-member");
  });

  it("moderated: every post is held, even the owner's", () => {
    const v = verdict({ list: { policy: "moderated" }, member: member("owner") });
    expect([v.action, v.rule]).toEqual(["hold", "moderated"]);
  });

  it("announce: only authenticated owners and moderators", () => {
    expect(verdict({ list: { policy: "announce" }, member: member("moderator") }).action).toBe("accept");
    expect(verdict({ list: { policy: "announce" }, member: member("owner") }).action).toBe("accept");
    const plain = verdict({ list: { policy: "announce", nonMemberAction: "discard" }, member: member("member") });
    expect([plain.action, plain.rule]).toEqual(["discard", "announce-only"]);
    expect(verdict({ list: { policy: "announce" }, member: member("owner"), authenticated: false }).action).toBe(
      "hold",
    );
  });

  it("loops and auto-replies are discarded before membership is even looked at", () => {
    expect(verdict({ fields: { "List-Id": "<team.lists.test>" }, member: null }).action).toBe("discard");
    expect(verdict({ fields: { "Auto-Submitted": "auto-replied" } }).rule).toBe("auto-submitted");
  });

  it("too large: held for a moderator", () => {
    const v = verdict({ body: "x".repeat(20_000) });
    expect([v.action, v.rule]).toEqual(["hold", "max-size"]);
  });
});

describe("the DMARC rule (decides; the handler rewrites)", () => {
  const dmarc = (result: string, policy?: string) => ({ result, comment: "", ...(policy ? { policy } : {}) });

  it("auto: rewrite for p=quarantine and p=reject, not for p=none or no record", () => {
    expect(decideDmarcMitigation(LIST, dmarc("pass", "reject"), "author.test").action).toBe("munge");
    expect(decideDmarcMitigation(LIST, dmarc("fail", "quarantine"), "author.test").action).toBe("munge");
    expect(decideDmarcMitigation(LIST, dmarc("pass", "none"), "author.test").action).toBe("none");
    expect(decideDmarcMitigation(LIST, dmarc("none"), "author.test").action).toBe("none");
  });

  it("auto: DNS failure fails closed (rewrite)", () => {
    const d = decideDmarcMitigation(LIST, dmarc("temperror"), "author.test");
    expect(d.action).toBe("munge");
    expect(d.reason).toMatch(/unknown/);
  });

  it("auto: the list's always domains (gmail.com) are rewritten even at p=none", () => {
    expect(decideDmarcMitigation(LIST, dmarc("pass", "none"), "gmail.com").action).toBe("munge");
  });

  it("munge, wrap and none modes apply whatever the policy", () => {
    expect(decideDmarcMitigation({ ...LIST, dmarcMode: "munge" }, dmarc("none"), "author.test").action).toBe("munge");
    expect(decideDmarcMitigation({ ...LIST, dmarcMode: "wrap" }, dmarc("none"), "author.test").action).toBe("wrap");
    expect(decideDmarcMitigation({ ...LIST, dmarcMode: "none" }, dmarc("fail", "reject"), "author.test").action).toBe(
      "none",
    );
  });
});
