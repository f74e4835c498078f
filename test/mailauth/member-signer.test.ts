/**
 * The many-copies DKIM signer (src/mailauth/member-signer.ts): byte for byte what mailauth's own
 * signer makes for each copy, with the RSA signature made by WebCrypto (node:crypto's sign is not
 * called once the first copy has been checked), and mailauth's path for keys WebCrypto does not
 * take here (Ed25519).
 */
import crypto, { generateKeyPairSync } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createBodyHashSigner, dkimBodyHash, signWithBodyHash } from "../../src/mailauth";
import { testKey } from "../helpers/keys";

const key = testKey("lists.test", "fast1");
const HEADER_LIST = ["From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe"];
const SHARED = [
  "From: Author <author@example.test>",
  "To: team@lists.test",
  "Subject: [team] Hello",
  "Date: Wed, 25 Nov 2026 09:00:00 +0000",
  "Message-ID: <post@example.test>",
  "List-Id: <team.lists.test>",
  "",
].join("\r\n");
const BODY_HASH = dkimBodyHash(new TextEncoder().encode("Hello list\r\n"));
const SIGN_TIME = new Date("2026-11-25T09:00:00Z");

const own = (i: number) => `List-Unsubscribe: <https://lists.test/u/${i}>,\r\n <mailto:team-request@lists.test>\r\n`;

function viaMailauth(pem: string, domain: string, selector: string, fields: string) {
  return signWithBodyHash({
    header: fields + SHARED,
    bodyHash: BODY_HASH,
    headerList: HEADER_LIST,
    key: { domain, selector, privateKeyPem: pem },
    signTime: SIGN_TIME,
    canonicalization: "relaxed/relaxed",
  });
}

/** Counts node:crypto sign calls (mailauth reads crypto.sign off the module at call time). */
function countNodeSigns() {
  const mutable = crypto as unknown as { sign: typeof crypto.sign };
  const original = mutable.sign;
  const counter = { calls: 0, restore: () => (mutable.sign = original) };
  mutable.sign = ((...args: Parameters<typeof crypto.sign>) => {
    counter.calls += 1;
    return original(...args);
  }) as typeof crypto.sign;
  return counter;
}

let counter: ReturnType<typeof countNodeSigns> | undefined;
afterEach(() => counter?.restore());

describe("createBodyHashSigner", () => {
  it("signs every copy exactly as mailauth does, RSA by WebCrypto after the first copy", async () => {
    const sign = await createBodyHashSigner({
      sharedFields: SHARED,
      bodyHash: BODY_HASH,
      headerList: HEADER_LIST,
      key: { domain: key.domain, selector: key.selector, privateKeyPem: key.privateKeyPem },
      signTime: SIGN_TIME,
      canonicalization: "relaxed/relaxed",
    });
    const first = await sign(own(0));
    expect(first).toBe(await viaMailauth(key.privateKeyPem, key.domain, key.selector, own(0)));
    expect(first).toMatch(/^DKIM-Signature: .*h=[^;]*List-Unsubscribe;/s);

    counter = countNodeSigns();
    const copies = [];
    for (let i = 1; i <= 5; i++) copies.push(await sign(own(i)));
    expect(counter.calls).toBe(0);
    counter.restore();
    for (let i = 1; i <= 5; i++) {
      expect(copies[i - 1]).toBe(await viaMailauth(key.privateKeyPem, key.domain, key.selector, own(i)));
    }
    expect(new Set(copies).size).toBe(5);
  });

  it("falls back to mailauth for an Ed25519 key, with the same result", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const sign = await createBodyHashSigner({
      sharedFields: SHARED,
      bodyHash: BODY_HASH,
      headerList: HEADER_LIST,
      key: { domain: "lists.test", selector: "ed1", privateKeyPem: pem },
      signTime: SIGN_TIME,
      canonicalization: "relaxed/relaxed",
    });
    const signature = await sign(own(1));
    expect(signature).toMatch(/a=ed25519-sha256/);
    expect(signature).toBe(await viaMailauth(pem, "lists.test", "ed1", own(1)));
  });

  it("throws as mailauth does for a d= that cannot be signed", async () => {
    const sign = await createBodyHashSigner({
      sharedFields: SHARED,
      bodyHash: BODY_HASH,
      headerList: HEADER_LIST,
      key: { domain: "bad;domain", selector: key.selector, privateKeyPem: key.privateKeyPem },
      signTime: SIGN_TIME,
      canonicalization: "relaxed/relaxed",
    });
    await expect(sign(own(1))).rejects.toThrow(/DKIM signing for bad;domain failed/);
    await expect(sign(own(2))).rejects.toThrow(/DKIM signing for bad;domain failed/);
  });
});
