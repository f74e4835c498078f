/**
 * DKIM vectors from independent implementations, verified through Facteur's `authenticate()` and its
 * declared-zone resolver, inside workerd:
 * - dkimpy's three pre-signed vectors (ed25519 plus RSA from the RFC 8463 sample, an Exim ed25519
 *   signature, a real 2013 Gmail message with degenerate folding), keys from `DNS-MAP.derived.json`;
 * - RFC 8463 Appendix A (ed25519-sha256 and rsa-sha256 over the same message), mailauth's fixture;
 * - dkimpy's negative key records: a message signed with dkimpy's test key must not verify against
 *   a key record with a bad version, an unknown k=, a corrupted key or a non-email service type.
 * dkimpy reads messages with either line ending and canonicalizes them to CRLF (RFC 6376 section
 * 3.4); here they are fed as CRLF.
 */
import "../../src/mailauth/crypto-compat";
import { dkimSign } from "mailauth/lib/dkim/sign";
import { afterAll, describe, expect, it } from "vitest";
import { type AuthResults, authenticate } from "../../src/authenticate";
import type { Resolver } from "../../src/dns";
import { createZoneResolver, type Zone } from "../support/dns/zone";
import { readBytes, readText, toCrlf } from "./data";

const DKIMPY = "dkim-test-vectors/dkimpy";

interface DnsMap {
  zones: Record<string, { txt: string }>;
  presigned_vectors: { message: string; expect: string }[];
}

async function verify(message: string, resolver: Resolver): Promise<AuthResults> {
  return authenticate(new TextEncoder().encode(message), {
    resolver,
    authservId: "conformance.facteur.test",
    mailFrom: "",
    topReceived: undefined,
    trustedReceivers: null,
  });
}

const dnsMap = JSON.parse(await readText(`${DKIMPY}/DNS-MAP.derived.json`)) as DnsMap;
const dkimpyZone: Zone = Object.fromEntries(
  Object.entries(dnsMap.zones).map(([name, record]) => [name, { TXT: [record.txt] }]),
);
let passed = 0;
let total = 0;

/** Each pre-signed vector and the signatures (d=, s=) that must pass in it. */
const PRESIGNED: { file: string; signatures: string[] }[] = [
  { file: "rfc6376.signed.msg", signatures: ["football.example.com/brisbane", "football.example.com/test"] },
  { file: "ed25519test2.msg", signatures: ["test.ex/sed"] },
  { file: "test2.message", signatures: ["gmail.com/20120113"] },
];

describe("dkimpy pre-signed vectors", () => {
  it("the derived DNS map lists the same three vectors", () => {
    expect(dnsMap.presigned_vectors.map((v) => v.message)).toEqual(PRESIGNED.map((v) => v.file));
  });

  for (const vector of PRESIGNED) {
    it(`${vector.file}: ${vector.signatures.join(", ")} pass`, async () => {
      total++;
      const message = toCrlf(await readText(`${DKIMPY}/${vector.file}`));
      const auth = await verify(message, createZoneResolver(dkimpyZone));
      const results = auth.dkim.signatures.map((s) => `${s.domain}/${s.selector}=${s.result}`);
      expect(results).toEqual(vector.signatures.map((s) => `${s}=pass`));
      passed++;
    });
  }
});

describe("RFC 8463 Appendix A (ed25519-sha256 and rsa-sha256)", () => {
  it("both signatures of the RFC's sample message pass", async () => {
    total++;
    const dns = JSON.parse(await readText("mailauth-fixtures/test/dkim/ec/fixtures/dns.json")) as Record<
      string,
      { TXT: string[][] }
    >;
    const zone: Zone = Object.fromEntries(Object.entries(dns).map(([name, types]) => [name, { TXT: types.TXT }]));
    const message = toCrlf(await readText("mailauth-fixtures/test/dkim/ec/fixtures/signed.eml"));
    const auth = await verify(message, createZoneResolver(zone));
    expect(auth.dkim.signatures.map((s) => `${s.selector}=${s.result}`).sort()).toEqual(["brisbane=pass", "test=pass"]);
    expect(message).toContain("a=ed25519-sha256");
    passed++;
  });
});

describe("dkimpy negative key records (test.message signed with test.private)", () => {
  /** Key record file → whether a signature made with dkimpy's test key verifies against it. */
  /** Key record file → the result and comment Facteur reports (RFC 8601 section 2.7.1: neutral). */
  const KEY_RECORDS: { file: string; result: string; comment: string; why: string }[] = [
    { file: "test.txt", result: "pass", comment: "", why: "the matching public key (control)" },
    {
      file: "badversion.txt",
      result: "neutral",
      comment: "unknown key version",
      why: "`v=DKIM1:` is not `v=DKIM1` (RFC 6376 section 3.6.1)",
    },
    {
      file: "badk.txt",
      result: "neutral",
      comment: "unknown key type",
      why: "k=ed25519-sha256 is not a key type (RFC 8463 section 4 says k=ed25519)",
    },
    {
      file: "test_bad.txt",
      result: "neutral",
      comment: "unknown key type",
      why: "the key's last bytes are corrupted, so it does not parse as an RSA key",
    },
    {
      file: "test_tlsrpt.txt",
      result: "neutral",
      comment: "key not for email",
      why: "s=tlsrpt: the key is not for email (RFC 6376 section 3.6.1 s=)",
    },
  ];

  for (const record of KEY_RECORDS) {
    it(`${record.file}: ${record.result} (${record.why})`, async () => {
      total++;
      const unsigned = toCrlf(await readText(`${DKIMPY}/test.message`));
      const privateKey = new TextDecoder().decode(await readBytes(`${DKIMPY}/test.private`));
      const signed = await dkimSign(unsigned, {
        canonicalization: "relaxed/simple",
        signatureData: [{ signingDomain: "example.com", selector: "test", privateKey }],
        // mailauth's typings want signingDomain at the top too; its signer reads signatureData only.
      } as Parameters<typeof dkimSign>[1]);
      expect(signed.errors).toEqual([]);
      const txt = (await readText(`${DKIMPY}/${record.file}`)).trim();
      const auth = await verify(
        signed.signatures + unsigned,
        createZoneResolver({ "test._domainkey.example.com": { TXT: [txt] } }),
      );
      expect(auth.dkim.signatures[0]?.result).toBe(record.result);
      expect(auth.dkim.comment).toBe(record.comment);
      passed++;
    });
  }
});

afterAll(() => {
  console.log(`DKIM vectors (dkimpy + RFC 8463): ${passed}/${total} pass`);
});
