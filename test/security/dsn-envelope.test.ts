/**
 * DSNs through email() and queue(): a permanent failure is reported to MAIL FROM only when the
 * MAIL FROM domain itself authenticated (SPF for it, or an aligned DKIM pass), never because the
 * header From passed DMARC; and the returned header section is trimmed.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { DSN_RETURNED_HEADER_BYTES } from "../../src/bounce/dsn";
import { createWorker } from "../../src/index";
import { insertAlias } from "../../src/store/aliases";
import { insertDomain } from "../../src/store/domains";
import { runJobs, scriptedRelay, testEnv } from "../deliver/helpers";
import { emailMessage, mail } from "../helpers/email";
import { dkimSigned, publish, testKey } from "../helpers/keys";
import { createZoneResolver, type Zone } from "../support/dns/zone";

const evil = testKey("evil.test");
const zone: Zone = { "_dmarc.evil.test": { TXT: ["v=DMARC1; p=reject"] } };
publish(zone, evil);
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });
const DOMAIN = "dsn-envelope.test";

/** A signed message from evil.test with ~40 KiB of attacker-chosen header fields. */
async function signedWithPayload(): Promise<string> {
  const junk: Record<string, string> = {};
  for (let i = 0; i < 400; i++) junk[`X-Payload-${i}`] = `Click https://evil.test/${i} ${"x".repeat(60)}`;
  return dkimSigned(mail({ From: "attacker@evil.test", To: `out@${DOMAIN}`, Subject: "big", ...junk }), evil);
}

async function failOnce(mailFrom: string) {
  const e = testEnv();
  const captured = emailMessage(await signedWithPayload(), { from: mailFrom, to: `out@${DOMAIN}` });
  await worker.email(captured.message, e, {} as ExecutionContext);
  expect(captured.rejected).toBeUndefined();
  const jobs = e.DELIVERY_QUEUE.jobs.splice(0);
  expect(jobs).toHaveLength(1);
  const { relay } = scriptedRelay(() => ({
    rcpt: "far@elsewhere.test",
    status: "permanent",
    reply: "552 5.3.4 too big",
  }));
  await runJobs(jobs, e, { relayFor: async () => relay });
  const row = await env.DB.prepare("SELECT dsn FROM deliveries WHERE message_log_id = ?1 AND origin != 'dsn'")
    .bind(jobs[0]!.messageLogId)
    .first<{ dsn: string | null }>();
  return { dsnJobs: e.DELIVERY_QUEUE.jobs.filter((j) => j.origin === "dsn"), note: row?.dsn };
}

beforeAll(async () => {
  await env.DB.batch([
    insertDomain(env.DB, { name: DOMAIN }),
    insertAlias(env.DB, { address: `out@${DOMAIN}`, domain: DOMAIN, destinations: ["far@elsewhere.test"] }),
  ]);
});

describe("who gets a DSN", () => {
  it("sends no DSN to a forged MAIL FROM when only the header From passed DMARC (no backscatter to the victim)", async () => {
    const { dsnJobs, note } = await failOnce("victim@victim.test");
    expect(dsnJobs).toEqual([]);
    expect(note).toBe("suppressed:unauthenticated");
  });

  it("sends a DSN when a passing DKIM signature is aligned with the MAIL FROM domain (organisational domain), trimmed", async () => {
    const { dsnJobs, note } = await failOnce("bounces@mail.evil.test");
    expect(dsnJobs).toHaveLength(1);
    expect(dsnJobs[0]!.recipients.map((r) => r.rcpt)).toEqual(["bounces@mail.evil.test"]);
    expect(note).toMatch(/^queued:dsn\//);
    const dsn = await (await env.MAIL.get(dsnJobs[0]!.r2Key))!.text();
    const returned = dsn.slice(dsn.indexOf("Content-Type: text/rfc822-headers"));
    expect(returned).toContain("X-Payload-0:");
    expect(returned).not.toContain("X-Payload-399:");
    expect(new TextEncoder().encode(returned).byteLength).toBeLessThan(DSN_RETURNED_HEADER_BYTES + 512);
  });
});
