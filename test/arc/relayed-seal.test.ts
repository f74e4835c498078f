/**
 * ARC on relayed alias mail: the copy queued for the relay carries ARC set i = n+1 (AAR = Facteur's
 * inbound results), checked by an independent verifier, dkimpy's arc_verify (test/arc/global-setup.ts).
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createDkimKey, dkimTxt } from "../../src/credentials/dkim-keys";
import { createWorker } from "../../src/index";
import { insertAlias } from "../../src/store/aliases";
import { insertDomain } from "../../src/store/domains";
import { emailMessage, mail } from "../helpers/email";
import { arcSealed, dkimSigned, publish, testKey } from "../helpers/keys";
import type { Zone } from "../support/dns/zone";
import { createZoneResolver } from "../support/dns/zone";

const author = testKey("author.test");
const upstream = testKey("upstream.test", "arc");
const zone: Zone = publish(publish({ "_dmarc.author.test": { TXT: ["v=DMARC1; p=none"] } }, author), upstream);
const worker = createWorker({ resolverFor: () => createZoneResolver(zone) });

/** The zone as the verifier's JSON: TXT name → value. */
function txtZone(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(zone).flatMap(([name, records]) => (records.TXT?.[0] ? [[name, String(records.TXT[0])]] : [])),
  );
}

async function relayed(raw: string, alias: string): Promise<string> {
  const captured = emailMessage(raw, { from: "alice@author.test", to: alias });
  await worker.email(captured.message, env, {} as ExecutionContext);
  expect(captured.rejected).toBeUndefined();
  const row = await env.DB.prepare("SELECT r2_key FROM deliveries WHERE rcpt = ?1 ORDER BY id DESC LIMIT 1")
    .bind(`far-${alias.split("@")[0]}@elsewhere.test`)
    .first<{ r2_key: string }>();
  const object = await env.MAIL.get(row?.r2_key ?? "");
  return (await object?.text()) ?? "";
}

async function arcVerify(message: string) {
  const response = await fetch(inject("arcVerifier").url, {
    method: "POST",
    body: JSON.stringify({ message: btoa(message), zone: txtZone() }),
  });
  if (!response.ok) throw new Error(await response.text());
  return (await response.json()) as { cv: string; comment: string };
}

beforeAll(async () => {
  await insertDomain(env.DB, { name: "seal.test" }).run();
  const key = await createDkimKey(env, { domain: "seal.test", selector: "fac1", type: "rsa" });
  zone["fac1._domainkey.seal.test"] = { TXT: [dkimTxt(key!)] };
  for (const local of ["first", "second"]) {
    await insertAlias(env.DB, {
      address: `${local}@seal.test`,
      domain: "seal.test",
      destinations: [`far-${local}@elsewhere.test`],
    }).run();
  }
});

describe("ARC seal on relayed alias mail", () => {
  it("seals a first-hop message as i=1 with Facteur's results, and dkimpy validates the chain", async () => {
    const raw = await dkimSigned(mail({ From: "alice@author.test", To: "first@seal.test", Subject: "hi" }), author);
    const sent = await relayed(raw, "first@seal.test");
    expect(sent).toMatch(/^ARC-Seal: i=1; a=rsa-sha256; t=\d+; cv=none; d=seal\.test; s=fac1;/);
    expect(sent).toMatch(/ARC-Authentication-Results: i=1; mx\.facteur\.test;[\s\S]*dkim=pass/);
    expect(sent.endsWith(raw)).toBe(true);
    const verdict = await arcVerify(sent);
    expect(verdict.cv).toBe("pass");
  });

  it("extends an existing chain with i=n+1 and cv=pass, still valid for dkimpy", async () => {
    const signed = await dkimSigned(
      mail({ From: "alice@author.test", To: "second@seal.test", Subject: "fwd" }),
      author,
    );
    const upstreamSealed = await arcSealed(signed, upstream, "upstream.test; dkim=pass header.d=author.test");
    const sent = await relayed(upstreamSealed, "second@seal.test");
    expect(sent).toMatch(/^ARC-Seal: i=2; a=rsa-sha256; t=\d+; cv=pass; d=seal\.test; s=fac1;/);
    expect((await arcVerify(sent)).cv).toBe("pass");
    // A changed body after the seal is caught by the independent verifier.
    expect((await arcVerify(`${sent}tampered\r\n`)).cv).toBe("fail");
  });
});
