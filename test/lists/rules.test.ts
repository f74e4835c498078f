/**
 * The posting chain as units: each rule, the real chain's order, one scenario per rule asserting
 * which rule decided (action, rule name and reason), and each policy with each non-member action.
 * No I/O: rules only decide. The DMARC rule, outside the chain, is in dmarc-policy.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { AuthResults } from "../../src/authenticate";
import { POSTING_CHAIN, runPostingChain } from "../../src/lists/posting-chain";
import { administrivia } from "../../src/lists/rules/administrivia";
import { autoSubmitted } from "../../src/lists/rules/auto-submitted";
import { loop } from "../../src/lists/rules/loop";
import { maxSize } from "../../src/lists/rules/max-size";
import type { PostContext, PostRule, PostVerdict } from "../../src/lists/rules/types";
import { type List, listIdOf, type Member } from "../../src/lists/types";
import { listAddresses } from "../../src/mail/minted-address";
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
  digestMaxBytes: 1024 * 1024,
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
    expect(autoSubmitted.check(context({ fields: { "Auto-Submitted": "auto-replied" } }))).toBe(
      "Auto-Submitted: auto-replied",
    );
    expect(autoSubmitted.check(context({ fields: { "Auto-Submitted": "auto-generated; x=y" } }))).toBe(
      "Auto-Submitted: auto-generated; x=y",
    );
    expect(autoSubmitted.check(context({ fields: { Precedence: "bulk" } }))).toBe("Precedence: bulk");
    expect(autoSubmitted.check(context({ fields: { Precedence: "junk" } }))).toBe("Precedence: junk");
    expect(autoSubmitted.check(context({ fields: { Precedence: "list" } }))).toBeUndefined();
    expect(autoSubmitted.check(context({ fields: { "Auto-Submitted": "no" } }))).toBeUndefined();
    // RFC 3834 section 5: "no" with parameters is still not automatic.
    expect(autoSubmitted.check(context({ fields: { "Auto-Submitted": "no; x=y" } }))).toBeUndefined();
  });

  it("max-size: larger than the list's limit", () => {
    expect(maxSize.check(context({ body: "x".repeat(20_000) }))).toMatch(/^\d+ bytes exceeds the list's 10000$/);
    expect(maxSize.check(context())).toBeUndefined();
  });

  it("administrivia: a command in the Subject or as a short body, not a real post mentioning it", () => {
    const pointer = "This looks like a command; send it to team-request@lists.test";
    expect(administrivia.check(context({ fields: { Subject: "unsubscribe" } }))).toBe(pointer);
    expect(administrivia.check(context({ fields: { Subject: "" }, body: "unsubscribe me\r\n" }))).toBe(pointer);
    expect(
      administrivia.check(
        context({ fields: { Subject: "Newsletter" }, body: "How do I unsubscribe from the other list?\r\nThanks\r\n" }),
      ),
    ).toBeUndefined();
  });
});

const isPostRule = (v: unknown): v is PostRule =>
  typeof v === "object" && v !== null && typeof (v as PostRule).name === "string" && "check" in v;

describe("POSTING_CHAIN, the real one", () => {
  it("has exactly these rows, in this order", () => {
    expect(POSTING_CHAIN.map((row) => [row.rule.name, row.action])).toEqual([
      ["loop", "discard"],
      ["auto-submitted", "discard"],
      ["announce-only", "non-member-action"],
      ["non-member", "non-member-action"],
      ["unauthenticated-member", "non-member-action"],
      ["administrivia", "reject"],
      ["moderated", "hold"],
      ["max-size", "hold"],
    ]);
  });

  it("holds every rule exported from src/lists/rules/", () => {
    const modules = import.meta.glob("../../src/lists/rules/*.ts", { eager: true });
    const rules = Object.values(modules)
      .flatMap((m) => Object.values(m as object))
      .filter(isPostRule);
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const wired = POSTING_CHAIN.map((row) => row.rule);
    for (const rule of rules) expect(wired, `${rule.name} is not in POSTING_CHAIN`).toContain(rule);
  });

  // One scenario per rule (and the accept at the end): the verdict names the rule that decided.
  const scenarios: [string, Parameters<typeof context>[0], PostVerdict][] = [
    [
      "loop",
      { fields: { "List-Id": "Team <team.lists.test>" } },
      v("discard", "loop", "already carries List-Id <team.lists.test>"),
    ],
    [
      "auto-submitted",
      { fields: { "Auto-Submitted": "auto-replied" } },
      v("discard", "auto-submitted", "Auto-Submitted: auto-replied"),
    ],
    [
      "announce-only",
      { list: { policy: "announce", nonMemberAction: "discard" } },
      v("discard", "announce-only", "alice@author.test may not post to an announce list"),
    ],
    ["non-member", { member: null }, v("hold", "non-member", "alice@author.test is not a member of team@lists.test")],
    [
      "unauthenticated-member",
      { list: { nonMemberAction: "reject" }, authenticated: false },
      v("reject", "unauthenticated-member", "alice@author.test did not authenticate (dmarc=fail, dkim=fail)"),
    ],
    [
      "administrivia",
      { fields: { Subject: "unsubscribe" } },
      v("reject", "administrivia", "This looks like a command; send it to team-request@lists.test"),
    ],
    ["moderated", { list: { policy: "moderated" } }, v("hold", "moderated", "the list is moderated")],
    ["accept", {}, v("accept", "accept", "members list: post accepted")],
  ];

  it.each(scenarios)("%s decides its scenario", (_, options, expected) => {
    expect(runPostingChain(POSTING_CHAIN, context(options))).toEqual(expected);
  });

  it("max-size decides a post above the list's limit", () => {
    const verdict = runPostingChain(POSTING_CHAIN, context({ body: "x".repeat(20_000) }));
    expect(verdict).toMatchObject({ action: "hold", rule: "max-size" });
    expect(verdict.reason).toMatch(/^\d+ bytes exceeds the list's 10000$/);
  });

  it("covers every rule of the chain", () => {
    const covered = [...scenarios.map(([name]) => name), "max-size"].sort();
    expect(covered).toEqual([...POSTING_CHAIN.map((row) => row.rule.name), "accept"].sort());
  });
});

function v(action: PostVerdict["action"], rule: string, reason: string): PostVerdict {
  return { action, rule, reason } as PostVerdict;
}

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
    const unproven = verdict({ list: { policy: "announce" }, member: member("owner"), authenticated: false });
    expect([unproven.action, unproven.rule]).toEqual(["hold", "announce-only"]);
  });

  it("loops and auto-replies are discarded before membership is even looked at", () => {
    const looped = verdict({ fields: { "List-Id": "<team.lists.test>" }, member: null });
    expect([looped.action, looped.rule]).toEqual(["discard", "loop"]);
    expect(verdict({ fields: { "Auto-Submitted": "auto-replied" } }).rule).toBe("auto-submitted");
  });

  it("too large: held for a moderator", () => {
    const v = verdict({ body: "x".repeat(20_000) });
    expect([v.action, v.rule]).toEqual(["hold", "max-size"]);
  });
});
