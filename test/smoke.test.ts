import "../src/authenticate/node-compat";
import { generateKeyPairSync } from "node:crypto";
import { dkimSign } from "mailauth/lib/dkim/sign";
import { dkimVerify } from "mailauth/lib/dkim/verify";
import { describe, expect, it } from "vitest";

describe("mailauth inside workerd", () => {
  it("signs and verifies", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const pub = (publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");
    const msg = "From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nhello\r\n";
    const signed = await dkimSign(msg, {
      signatureData: [{ signingDomain: "example.com", selector: "s1", privateKey: pem }],
    });
    expect(signed.errors).toEqual([]);
    const full = signed.signatures + msg;
    const resolver = async (name: string, type: string) => {
      if (name === "s1._domainkey.example.com" && type === "TXT") return [[`v=DKIM1; k=rsa; p=${pub}`]];
      const e = new Error("nx") as Error & { code: string };
      e.code = "ENOTFOUND";
      throw e;
    };
    const res = await dkimVerify(full, { resolver });
    expect(res.results[0].status.result).toBe("pass");
  });
});
