/**
 * The transform pipeline as units: each handler, and the whole pipeline in each DMARC mode, with
 * a member's copy assembled exactly as the fan-out does (per-member DKIM over the shared body hash)
 * and verified by mailauth against a declared zone.
 */
import { describe, expect, it } from "vitest";
import { authenticate } from "../../src/authenticate";
import { createMemberSigner, signMemberCopy } from "../../src/lists/member-signature";
import { type List, listIdOf } from "../../src/lists/types";
import { headerEnd } from "../../src/mail/header-section";
import { getValue, headerSection, joinMessage, splitMessage } from "../../src/mail/message-parts";
import { listAddresses } from "../../src/mail/minted-address";
import { cleanse } from "../../src/transform/handlers/cleanse";
import { subjectPrefix } from "../../src/transform/handlers/subject-prefix";
import { LIST_PIPELINE, runPipeline } from "../../src/transform/pipeline";
import type { DmarcMitigation, Handler, TransformContext } from "../../src/transform/types";
import listPostToCleanse from "../fixtures/lists/list-post-to-cleanse.eml?raw";
import { mail } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const authorKey = testKey("author.test");
const listKey = testKey("lists.test", "list1");
const zone: Zone = {
  "_dmarc.lists.test": { TXT: ["v=DMARC1; p=reject"] },
  "_dmarc.author.test": { TXT: ["v=DMARC1; p=reject"] },
};
publish(zone, authorKey);
publish(zone, listKey);

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
  dmarcAlwaysDomains: [],
  subjectPrefix: "[team]",
  replyTo: "author",
  maxMessageBytes: 1_000_000,
  digestMaxBytes: 1024 * 1024,
  holdDays: 14,
  bounceThreshold: 5,
  bounceQuietDays: 7,
  archiveUrl: "https://lists.test/archive/team",
  enabled: true,
  createdAt: 0,
  updatedAt: 0,
};

const AUTH_HEADER = "mx.facteur.test;\r\n dkim=pass header.d=author.test;\r\n dmarc=pass header.from=author.test";

function contextFor(raw: string, mitigation: DmarcMitigation, list: Partial<List> = {}): TransformContext {
  const full = { ...LIST, ...list };
  const bytes = new TextEncoder().encode(raw);
  return {
    list: full,
    addresses: listAddresses(full),
    listId: listIdOf(full),
    auth: { header: AUTH_HEADER, arc: { result: "none", comment: "", instance: 0 } },
    author: { address: "alice@author.test", display: "Alice" },
    mitigation,
    signingKey: { selector: "list1", algorithm: "rsa-sha256", privateKeyPem: listKey.privateKeyPem },
    now: Date.parse("2026-11-25T09:00:00Z"),
    original: bytes,
    message: splitMessage(bytes),
    notes: [],
  };
}

/** The copy one member receives: [DKIM-Signature, List-Unsubscribe] + the stored message. */
async function memberCopy(context: TransformContext): Promise<Uint8Array> {
  const stored = joinMessage(context.message);
  const header = Buffer.from(stored.subarray(0, headerEnd(stored))).toString("binary");
  const signer = createMemberSigner({
    sharedHeader: header,
    domain: "lists.test",
    selector: "list1",
    privateKeyPem: listKey.privateKeyPem,
    bodyHash: context.dkim!.bodyHash,
    headerList: context.dkim!.headerList,
    signTime: new Date(context.now),
  });
  const fields = "List-Unsubscribe: <https://lists.test/lists/unsubscribe/abc.def>\r\n";
  const prepend = (await signMemberCopy(signer, fields)) + fields;
  return new Uint8Array(Buffer.concat([Buffer.from(prepend, "binary"), Buffer.from(stored)]));
}

async function verify(copy: Uint8Array) {
  return authenticate(copy, {
    resolver: createZoneResolver(zone),
    authservId: "mx.gmail.test",
    mailFrom: "team-bounces+x@lists.test",
    topReceived: undefined,
    trustedReceivers: null,
    now: Math.floor(Date.parse("2026-11-25T09:05:00Z") / 1000),
  });
}

/** A signed post carrying every field cleanse must remove (Return-Path, Bcc, List-Id, forged AR…). */
const POST = () => dkimSigned(fixture(listPostToCleanse), authorKey);

describe("handlers", () => {
  it("cleanse drops Return-Path, Bcc, our own X-Facteur-*, upstream List-* and forged AR, keeps DKIM-Signature", async () => {
    const c = contextFor(await POST(), { action: "none", reason: "" });
    cleanse.process(c);
    const keys = c.message.fields.map((f) => f.key);
    for (const gone of ["return-path", "bcc", "x-facteur-loop", "list-id", "authentication-results"])
      expect(keys).not.toContain(gone);
    expect(keys).toContain("dkim-signature");
  });

  it("subject prefix: added once, never doubled on a reply that carries it", async () => {
    const c = contextFor(mail({ From: "a@author.test", Subject: "plans" }), { action: "none", reason: "" });
    subjectPrefix.process(c);
    subjectPrefix.process(c);
    expect(getValue(c.message, "subject")).toBe("[team] plans");
    const reply = contextFor(mail({ From: "a@author.test", Subject: "Re: [team] plans" }), {
      action: "none",
      reason: "",
    });
    subjectPrefix.process(reply);
    expect(getValue(reply.message, "subject")).toBe("Re: [team] plans");
    const encoded = contextFor(mail({ From: "a@author.test", Subject: "=?UTF-8?Q?Re:_[team]_caf=C3=A9?=" }), {
      action: "none",
      reason: "",
    });
    subjectPrefix.process(encoded);
    expect(getValue(encoded.message, "subject")).toBe("=?UTF-8?Q?Re:_[team]_caf=C3=A9?=");
  });
});

describe("the pipeline in each DMARC mode, verified as a receiver would", () => {
  it("munge: From is the list, the author in X-Original-From and Reply-To; DKIM, ARC and DMARC pass", async () => {
    const c = await runPipeline(LIST_PIPELINE, contextFor(await POST(), { action: "munge", reason: "p=reject" }));
    expect(getValue(c.message, "from")).toBe('"Alice via Team" <team@lists.test>');
    expect(getValue(c.message, "x-original-from")).toBe("Alice <alice@author.test>");
    expect(getValue(c.message, "reply-to")).toBe("Alice <alice@author.test>");
    expect(getValue(c.message, "list-id")).toBe('"Team" <team.lists.test>');
    expect(getValue(c.message, "list-archive")).toBe("<https://lists.test/archive/team>");
    // ARC set on top, i=1.
    expect(c.message.fields[0]!.key).toBe("arc-seal");
    const auth = await verify(await memberCopy(c));
    expect(auth.dkim.signatures.find((s) => s.domain === "lists.test")?.result).toBe("pass");
    expect(auth.arc.result).toBe("pass");
    expect(auth.dmarc.result).toBe("pass");
  });

  it("wrap: the post travels untouched as message/rfc822 and its own DKIM still verifies inside", async () => {
    const post = await POST();
    const c = await runPipeline(LIST_PIPELINE, contextFor(post, { action: "wrap", reason: "mode wrap" }));
    expect(getValue(c.message, "from")).toBe('"Alice via Team" <team@lists.test>');
    expect(getValue(c.message, "content-type")).toMatch(/^multipart\/mixed; boundary=/);
    const body = Buffer.from(c.message.body).toString("binary");
    expect(body).toContain("Content-Type: message/rfc822");
    expect(body).toContain(post);
    const auth = await verify(await memberCopy(c));
    expect(auth.dkim.signatures.find((s) => s.domain === "lists.test")?.result).toBe("pass");
    expect(auth.arc.result).toBe("pass");
    expect(auth.dmarc.result).toBe("pass");
    const inner = await verify(new TextEncoder().encode(post));
    expect(inner.dkim.signatures.find((s) => s.domain === "author.test")?.result).toBe("pass");
  });

  it("none: the author's From stays; the list's DKIM and ARC still verify (DMARC then rests on the author)", async () => {
    const c = await runPipeline(LIST_PIPELINE, contextFor(await POST(), { action: "none", reason: "p=none" }));
    expect(getValue(c.message, "from")).toBe("Alice <alice@author.test>");
    expect(getValue(c.message, "x-original-from")).toBeUndefined();
    const auth = await verify(await memberCopy(c));
    expect(auth.dkim.signatures.find((s) => s.domain === "lists.test")?.result).toBe("pass");
    expect(auth.arc.result).toBe("pass");
    // The Subject prefix broke the author's signature: exactly why auto mode rewrites p=reject domains.
    expect(auth.dkim.signatures.find((s) => s.domain === "author.test")?.result).toBe("fail");
  });

  it("Reply-To policy list replaces the author's; the copy's header keeps one Reply-To", async () => {
    const c = await runPipeline(
      LIST_PIPELINE,
      contextFor(await POST(), { action: "munge", reason: "" }, { replyTo: "list" }),
    );
    expect(c.message.fields.filter((f) => f.key === "reply-to").map((f) => f.line)).toEqual([
      "Reply-To: <team@lists.test>",
    ]);
    expect(headerSection(c.message)).toContain("Precedence: list\r\n");
  });
});

describe("LIST_PIPELINE, the real one", () => {
  it("runs exactly these handlers, in this order, with the ARC seal last", () => {
    const names = LIST_PIPELINE.map((h) => h.name);
    expect(names).toEqual([
      "cleanse",
      "subject-prefix",
      "list-id",
      "list-headers",
      "archived-at",
      "list-unsubscribe-post",
      "precedence",
      "reply-to",
      "dmarc-mitigation",
      "body-hash",
      "arc-seal",
    ]);
    // RFC 8617 section 5.1: any change after the seal would break its ARC-Message-Signature.
    expect(names.at(-1)).toBe("arc-seal");
    expect(names.filter((n) => n === "arc-seal")).toHaveLength(1);
  });

  it("holds every handler exported from src/transform/handlers/", () => {
    const modules = import.meta.glob("../../src/transform/handlers/*.ts", { eager: true });
    const handlers = Object.values(modules)
      .flatMap((m) => Object.values(m as object))
      .filter((v): v is Handler => typeof v === "object" && v !== null && "process" in v && "name" in v);
    expect(handlers.length).toBeGreaterThanOrEqual(10);
    for (const h of handlers) expect(LIST_PIPELINE, `${h.name} is not in LIST_PIPELINE`).toContain(h);
  });
});
