/** Shared set-up for the reverse-alias tests: a served domain with a DKIM key, an owner, zones. */
import "../../src/mailauth/crypto-compat";
import { env } from "cloudflare:test";
import type { DNSResolver } from "mailauth";
import { dkimVerify } from "mailauth/lib/dkim/verify";
import { expect } from "vitest";
import { createDkimKey, dkimTxt } from "../../src/credentials/dkim-keys";
import { createWorker } from "../../src/index";
import { emailMessage } from "../helpers/email";
import { publish, testKey } from "../helpers/keys";
import { createZoneResolver, type Zone } from "../support/dns/zone";

export const ownerKey = testKey("home.test");
export const strangerKey = testKey("ext.test");
export const zone: Zone = publish(
  publish(
    {
      "_dmarc.home.test": { TXT: ["v=DMARC1; p=none"] },
      "_dmarc.ext.test": { TXT: ["v=DMARC1; p=none"] },
    },
    ownerKey,
  ),
  strangerKey,
);
export const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });

/** A served domain with a DKIM key published in the zone. */
export async function servedDomain(name: string): Promise<void> {
  await env.DB.prepare("INSERT INTO domains (name, created_at, updated_at) VALUES (?1, 0, 0)").bind(name).run();
  const key = await createDkimKey(env, { domain: name, selector: "fac1", type: "rsa" });
  zone[`fac1._domainkey.${name}`] = { TXT: [dkimTxt(key!)] };
}

export async function deliver(raw: string, envelope: { from: string; to: string }) {
  const captured = emailMessage(raw, envelope);
  await worker.email(captured.message, env, {} as ExecutionContext);
  return captured;
}

/** The newest body queued for `rcpt`, with its envelope sender. */
export async function queuedFor(rcpt: string): Promise<{ raw: string; mailFrom: string } | null> {
  const row = await env.DB.prepare("SELECT r2_key, mail_from FROM deliveries WHERE rcpt = ?1 ORDER BY id DESC LIMIT 1")
    .bind(rcpt)
    .first<{ r2_key: string; mail_from: string }>();
  if (!row) return null;
  const object = await env.MAIL.get(row.r2_key);
  return { raw: (await object?.text()) ?? "", mailFrom: row.mail_from };
}

function mailauthResolver(): DNSResolver {
  const resolver = createZoneResolver(zone);
  return ((name: string, type: string) => resolver(name, type as "TXT")) as unknown as DNSResolver;
}

/** mailauth's verifier over the bytes: the signature of `domain` passes. */
export async function expectDkimPass(raw: string, domain: string): Promise<void> {
  const verified = await dkimVerify(raw, { resolver: mailauthResolver() });
  const result = verified.results.find((r: { signingDomain?: string }) => r.signingDomain === domain);
  expect(result?.status.result).toBe("pass");
}

export function headerOf(raw: string): string {
  return raw.slice(0, raw.indexOf("\r\n\r\n"));
}
