/**
 * email() end to end: receive → authenticate → route → deliver → log, through the real entry point
 * with miniflare's D1, signed fixtures and a declared DNS zone.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createWorker } from "../../src/index";
import { insertAlias } from "../../src/store/aliases";
import { upsertDestination } from "../../src/store/destinations";
import { insertDomain } from "../../src/store/domains";
import aliasPlain from "../fixtures/inbound/alias-plain.eml?raw";
import arcViaIntermediary from "../fixtures/inbound/arc-via-intermediary.eml?raw";
import dkimAligned from "../fixtures/inbound/dkim-aligned.eml?raw";
import dmarcRejectForged from "../fixtures/inbound/dmarc-reject-forged.eml?raw";
import loopMarker from "../fixtures/inbound/loop-marker.eml?raw";
import oversize from "../fixtures/inbound/oversize.eml?raw";
import spfBuriedReceived from "../fixtures/inbound/spf-buried-received.eml?raw";
import spfTrustedReceived from "../fixtures/inbound/spf-trusted-received.eml?raw";
import spfUntrustedReceived from "../fixtures/inbound/spf-untrusted-received.eml?raw";
import spfWrongIp from "../fixtures/inbound/spf-wrong-ip.eml?raw";
import tooManyReceived from "../fixtures/inbound/too-many-received.eml?raw";
import unsignedPNone from "../fixtures/inbound/unsigned-p-none.eml?raw";
import { emailMessage } from "../helpers/email";
import { fixture } from "../helpers/fixture";
import { arcSealed, dkimSigned, publish, testKey } from "../helpers/keys";
import { type LogRowBasics, lastLogRow } from "../helpers/message-log";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const sender = testKey("sender.test");
const forger = testKey("forger.test");
const relayKey = testKey("lists.relay.test");
const zone: Zone = {
  "_dmarc.sender.test": { TXT: ["v=DMARC1; p=reject"] },
  "sender.test": { TXT: ["v=spf1 ip4:192.0.2.1 -all"] },
  "_dmarc.relaxed.test": { TXT: ["v=DMARC1; p=none"] },
};
publish(zone, sender);
publish(zone, forger);
publish(zone, relayKey);

const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
/** Routing scenarios where only the envelope recipient matters: unsigned, from a p=none domain. */
const UNSIGNED = fixture(unsignedPNone);

async function deliver(raw: string, to: string, from = "alice@sender.test", testEnv: Env = env, options = {}) {
  const captured = emailMessage(raw, { from, to }, options);
  await worker.email(captured.message, testEnv, {} as ExecutionContext);
  return captured;
}

function logRow(rcpt: string) {
  return lastLogRow<LogRowBasics & { auth: string; destinations: string }>(rcpt);
}

beforeAll(async () => {
  await env.DB.batch([
    insertDomain(env.DB, { name: "example.test", catchAll: ["catch@gmail.com"] }),
    insertDomain(env.DB, { name: "other.test" }),
    insertDomain(env.DB, { name: "off.test", enabled: false }),
    ...["alice@gmail.com", "bob@gmail.com", "user@gmail.com", "sales@gmail.com", "eu@gmail.com", "catch@gmail.com"].map(
      (a) => upsertDestination(env.DB, a, true),
    ),
    insertAlias(env.DB, {
      address: "hello@example.test",
      domain: "example.test",
      destinations: ["alice@gmail.com", "bob@gmail.com"],
    }),
    insertAlias(env.DB, { address: "user@example.test", domain: "example.test", destinations: ["user@gmail.com"] }),
    insertAlias(env.DB, { address: "sales-*@example.test", domain: "example.test", destinations: ["sales@gmail.com"] }),
    insertAlias(env.DB, { address: "sales-eu-*@example.test", domain: "example.test", destinations: ["eu@gmail.com"] }),
    insertAlias(env.DB, {
      address: "off@example.test",
      domain: "example.test",
      destinations: ["user@gmail.com"],
      enabled: false,
    }),
    insertAlias(env.DB, { address: "nested@other.test", domain: "other.test", destinations: ["hello@example.test"] }),
    insertAlias(env.DB, { address: "loop1@other.test", domain: "other.test", destinations: ["loop2@other.test"] }),
    insertAlias(env.DB, { address: "loop2@other.test", domain: "other.test", destinations: ["loop1@other.test"] }),
  ]);
});

describe("routing through email()", () => {
  it("forwards an exact alias to every verified destination with Facteur's X- headers", async () => {
    const raw = await dkimSigned(fixture(aliasPlain), sender);
    const c = await deliver(raw, "hello@example.test");
    expect(c.rejected).toBeUndefined();
    expect(c.forwards.map((f) => f.to)).toEqual(["alice@gmail.com", "bob@gmail.com"]);
    expect(c.forwards[0]?.headers["x-facteur-loop"]).toBe("hello@example.test");
    expect(c.forwards[0]?.headers["x-facteur-authentication"]).toContain("dkim=pass");
    const row = await logRow("hello@example.test");
    expect(row?.decision).toBe("forwarded");
    expect(row?.rule).toBe("alias");
    expect(JSON.parse(row?.destinations ?? "[]")).toEqual(["alice@gmail.com", "bob@gmail.com"]);
  });

  it("resolves user+tag@ to user@ (RFC 5233 subaddressing)", async () => {
    const c = await deliver(UNSIGNED, "user+news@example.test");
    expect(c.forwards.map((f) => f.to)).toEqual(["user@gmail.com"]);
    expect((await logRow("user+news@example.test"))?.reason).toBe("subaddress match user@example.test");
  });

  it("picks the wildcard pattern with the longest literal part", async () => {
    const eu = await deliver(UNSIGNED, "sales-eu-paris@example.test");
    expect(eu.forwards.map((f) => f.to)).toEqual(["eu@gmail.com"]);
    const any = await deliver(UNSIGNED, "sales-us@example.test");
    expect(any.forwards.map((f) => f.to)).toEqual(["sales@gmail.com"]);
    expect((await logRow("sales-us@example.test"))?.reason).toBe("pattern match sales-*@example.test");
  });

  it("falls back to the domain's catch-all", async () => {
    const c = await deliver(UNSIGNED, "Random.Person@example.test");
    expect(c.forwards.map((f) => f.to)).toEqual(["catch@gmail.com"]);
    expect((await logRow("Random.Person@example.test"))?.reason).toBe("catch-all match *@example.test");
  });

  it("matches local parts case-insensitively", async () => {
    const c = await deliver(UNSIGNED, "HELLO@Example.Test");
    expect(c.forwards).toHaveLength(2);
  });

  it("follows a nested alias and rejects an alias loop", async () => {
    const nested = await deliver(UNSIGNED, "nested@other.test");
    expect(nested.forwards.map((f) => f.to)).toEqual(["alice@gmail.com", "bob@gmail.com"]);
    const loop = await deliver(UNSIGNED, "loop1@other.test");
    expect(loop.rejected).toMatch(/^554 5\.4\.6 Alias loop/);
    expect((await logRow("loop1@other.test"))?.decision).toBe("rejected");
  });

  it.each([
    ["nobody@other.test", /^550 5\.1\.1 /, "no-such-user"],
    ["someone@unknown.test", /^550 5\.1\.2 /, "unknown-domain"],
    ["someone@off.test", /^550 5\.1\.2 /, "unknown-domain"],
    ["off@example.test", /^550 5\.2\.1 /, "alias"],
  ])("rejects %s with its precise code", async (rcpt, code, rule) => {
    const c = await deliver(UNSIGNED, rcpt);
    expect(c.forwards).toEqual([]);
    expect(c.rejected).toMatch(code);
    const row = await logRow(rcpt);
    expect(row?.decision).toBe("rejected");
    expect(row?.rule).toBe(rule);
    expect(row?.smtp_reply).toBe(c.rejected);
  });

  it("rejects a message carrying our loop marker for this recipient", async () => {
    const c = await deliver(fixture(loopMarker), "hello@example.test");
    expect(c.rejected).toMatch(/^554 5\.4\.6 /);
    expect((await logRow("hello@example.test"))?.rule).toBe("loop-marker");
  });

  it("rejects a message with too many Received headers", async () => {
    const raw = fixture(tooManyReceived);
    expect(raw.match(/^Received:/gm)).toHaveLength(51);
    const c = await deliver(raw, "user@example.test");
    expect(c.rejected).toMatch(/^554 5\.4\.6 Too many hops/);
    expect((await logRow("user@example.test"))?.rule).toBe("too-many-received");
  });

  it("refuses an over-size message with 552 5.3.4 without reading it all", async () => {
    const small = { ...env, MAX_MESSAGE_BYTES: "2048" } as Env;
    const c = await deliver(fixture(oversize), "hello@example.test", "alice@sender.test", small);
    expect(c.rejected).toMatch(/^552 5\.3\.4 /);
    const row = await logRow("hello@example.test");
    expect(row?.rule).toBe("max-size");
  });
});

describe("authentication through email()", () => {
  const auth = async (rcpt: string) => JSON.parse((await logRow(rcpt))?.auth ?? "{}");

  it("records DKIM pass, fail and none", async () => {
    const signed = await dkimSigned(fixture(dkimAligned), sender);
    await deliver(signed, "user+pass@example.test");
    expect((await auth("user+pass@example.test")).dkim.result).toBe("pass");

    // A changed signed header breaks the signature itself: dkim=fail (RFC 6376 section 6.1.3).
    const tampered = signed.replace("Subject: dkim", "Subject: dkim!");
    await deliver(tampered, "user+fail@example.test", "x@relaxed.test");
    expect((await auth("user+fail@example.test")).dkim.result).toBe("fail");

    // A changed body fails the body hash; mailauth reports it as neutral with the reason.
    const body = signed.replace("Hello.", "Hullo.");
    await deliver(body, "user+body@example.test", "x@relaxed.test");
    const bodyAuth = (await auth("user+body@example.test")).dkim;
    expect(bodyAuth.result).toBe("neutral");
    expect(bodyAuth.comment).toContain("body hash did not verify");

    await deliver(UNSIGNED, "user+none@example.test", "bob@relaxed.test");
    expect((await auth("user+none@example.test")).dkim.result).toBe("none");
  });

  it("passes DMARC for an aligned signature and rejects a p=reject failure with 5.7.1", async () => {
    const good = await dkimSigned(fixture(dkimAligned), sender);
    const ok = await deliver(good, "user+dmarc@example.test");
    expect(ok.forwards).toHaveLength(1);
    expect((await auth("user+dmarc@example.test")).dmarc.result).toBe("pass");

    // Signed by another domain: DKIM passes for forger.test but does not align with sender.test.
    const spoof = await dkimSigned(fixture(dmarcRejectForged), forger);
    const bad = await deliver(spoof, "user+spoof@example.test", "ceo@sender.test");
    expect(bad.forwards).toEqual([]);
    expect(bad.rejected).toMatch(/^550 5\.7\.1 /);
    const row = await logRow("user+spoof@example.test");
    expect(row?.rule).toBe("dmarc-reject");
    expect(JSON.parse(row?.auth ?? "{}").dmarc.result).toBe("fail");
  });

  it("verifies an ARC chain sealed by an intermediary", async () => {
    const original = await dkimSigned(fixture(arcViaIntermediary), relayKey);
    const sealed = await arcSealed(original, relayKey, "lists.relay.test; dkim=pass header.d=lists.relay.test");
    await deliver(sealed, "user+arc@example.test", "bounce@lists.relay.test");
    expect((await auth("user+arc@example.test")).arc.result).toBe("pass");
  });

  it("evaluates SPF only from a Received header written by a trusted receiver", async () => {
    await deliver(fixture(spfTrustedReceived), "user+spf1@example.test");
    const spf = (await auth("user+spf1@example.test")).spf;
    expect(spf.result).toBe("pass");

    await deliver(fixture(spfUntrustedReceived), "user+spf2@example.test");
    const none = (await auth("user+spf2@example.test")).spf;
    expect(none.result).toBe("none");
    expect(none.comment).toContain("not written by a trusted receiver");

    // Only the top header counts: a trusted-looking header below an untrusted one proves nothing.
    await deliver(fixture(spfBuriedReceived), "user+spf3@example.test");
    expect((await auth("user+spf3@example.test")).spf.result).toBe("none");

    await deliver(fixture(spfWrongIp), "user+spf4@example.test");
    expect((await auth("user+spf4@example.test")).spf.result).toBe("fail");
  });
});

describe("transient failures", () => {
  it("throws (temporary SMTP failure) when D1 is unavailable, so the sender retries", async () => {
    const broken = {
      prepare() {
        throw new Error("D1_ERROR: Network connection lost");
      },
      batch() {
        throw new Error("D1_ERROR: Network connection lost");
      },
    } as unknown as D1Database;
    const c = emailMessage(UNSIGNED, {
      from: "alice@sender.test",
      to: "hello@example.test",
    });
    await expect(worker.email(c.message, { ...env, DB: broken } as Env, {} as ExecutionContext)).rejects.toThrow(
      /D1_ERROR/,
    );
    expect(c.rejected).toBeUndefined();
    expect(c.forwards).toEqual([]);
  });
});
