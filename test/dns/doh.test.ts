import "../../src/mailauth/crypto-compat";
import { generateKeyPairSync } from "node:crypto";
import type { DNSResolver } from "mailauth";
import { dkimSign } from "mailauth/lib/dkim/sign";
import { dkimVerify } from "mailauth/lib/dkim/verify";
import { describe, expect, it } from "vitest";
import { createDnsCache, defaultDnsCache } from "../../src/dns/cache";
import { createDohResolver } from "../../src/dns/doh";
import type { Zone } from "../support/dns/zone";
import { createZoneResolver } from "../support/dns/zone";
import { createDohStub } from "./doh-stub";

const URL = "https://doh.test/dns-query";

const zone: Zone = {
  "example.com": {
    A: ["192.0.2.10"],
    AAAA: ["2001:db8::10"],
    MX: [
      { exchange: "mx1.example.com", priority: 10 },
      { exchange: "mx2.example.com", priority: 20 },
    ],
    TXT: ["v=spf1 mx -all", ["part one ", "part two"]],
    NS: ["ns1.example.com"],
  },
  "_dmarc.example.com": { TXT: ["v=DMARC1; p=reject"] },
  "www.example.com": { CNAME: ["example.com."] },
  "10.2.0.192.in-addr.arpa": { PTR: ["mail.example.com"] },
  "slow.example.com": { TXT: [{ error: "ETIMEOUT" }] },
  "broken.example.com": { TXT: [{ error: "ESERVFAIL" }] },
  "refused.example.com": { TXT: [{ error: "EREFUSED" }] },
};

/** A clock the test moves by hand. */
function clock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe("createDohResolver", () => {
  it("answers every type in Node's shapes through an RFC 8484 POST exchange", async () => {
    const stub = createDohStub(zone);
    const resolve = createDohResolver({ url: URL, fetch: stub.fetch, cache: false });
    expect(await resolve("example.com", "A")).toEqual(["192.0.2.10"]);
    expect(await resolve("example.com", "AAAA")).toEqual(["2001:db8::10"]);
    expect(await resolve("example.com", "MX")).toEqual([
      { exchange: "mx1.example.com", priority: 10 },
      { exchange: "mx2.example.com", priority: 20 },
    ]);
    expect(await resolve("Example.COM.", "txt")).toEqual([["v=spf1 mx -all"], ["part one ", "part two"]]);
    expect(await resolve("example.com", "NS")).toEqual(["ns1.example.com"]);
    expect(await resolve("www.example.com", "A")).toEqual(["192.0.2.10"]);
    expect(await resolve("www.example.com", "CNAME")).toEqual(["example.com"]);
    expect(await resolve("10.2.0.192.in-addr.arpa", "PTR")).toEqual(["mail.example.com"]);
    expect(stub.refused).toBe(0);
    expect(stub.queries).toHaveLength(8);
    for (const query of stub.queries) {
      expect(query.flags.rd).toBe(true);
      expect(query.additionals.map((record) => record.type)).toEqual(["OPT"]);
    }
    expect(new Set(stub.queries.map((query) => query.id)).size).toBeGreaterThan(1);
  });

  it("fails with Node's error codes", async () => {
    const stub = createDohStub(zone);
    const resolve = createDohResolver({ url: URL, fetch: stub.fetch, cache: false, timeoutMs: 200 });
    expect(await codeOf(resolve("nowhere.example.com", "TXT"))).toBe("ENOTFOUND");
    expect(await codeOf(resolve("_dmarc.example.com", "A"))).toBe("ENODATA");
    expect(await codeOf(resolve("broken.example.com", "TXT"))).toBe("ESERVFAIL");
    expect(await codeOf(resolve("refused.example.com", "TXT"))).toBe("EREFUSED");
    expect(await codeOf(resolve("slow.example.com", "TXT"))).toBe("ETIMEOUT");
    expect(await codeOf(resolve(`${"x".repeat(64)}.example.com`, "TXT"))).toBe("EBADNAME");
    expect(await codeOf(resolve("example.com", "ANY"))).toBe("ENOTIMP");
    const error = await resolve("nowhere.example.com", "TXT").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "ENOTFOUND", hostname: "nowhere.example.com" });
  });

  it("gives the same answers as the zone resolver on the same zone", async () => {
    const doh = createDohResolver({ url: URL, fetch: createDohStub(zone).fetch, cache: false, timeoutMs: 200 });
    const local = createZoneResolver(zone);
    const names = [...Object.keys(zone), "nowhere.example.com"];
    for (const name of names) {
      for (const type of ["A", "AAAA", "MX", "TXT", "NS", "PTR", "CNAME"]) {
        const [viaDoh, viaZone] = await Promise.allSettled([doh(name, type), local(name, type)]);
        const label = `${name} ${type}`;
        expect(viaDoh.status, label).toBe(viaZone.status);
        if (viaDoh.status === "fulfilled" && viaZone.status === "fulfilled") {
          expect(viaDoh.value, label).toEqual(viaZone.value);
        } else if (viaDoh.status === "rejected" && viaZone.status === "rejected") {
          expect(viaDoh.reason.code, label).toBe(viaZone.reason.code);
        }
      }
    }
  });

  it("times out a server that never answers, even one that ignores the abort signal", async () => {
    const started = Date.now();
    const deaf = createDohResolver({
      url: URL,
      fetch: () => new Promise<Response>(() => {}),
      cache: false,
      timeoutMs: 50,
    });
    expect(await codeOf(deaf("example.com", "TXT"))).toBe("ETIMEOUT");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("treats HTTP errors, network errors and non-DNS bodies as temporary failures", async () => {
    const http500 = createDohStub(zone, { override: () => new Response("oops", { status: 500 }) });
    expect(await codeOf(createDohResolver({ url: URL, fetch: http500.fetch, cache: false })("example.com", "A"))).toBe(
      "ESERVFAIL",
    );
    const network = createDohResolver({
      url: URL,
      fetch: async () => {
        throw new TypeError("connection refused");
      },
      cache: false,
    });
    expect(await codeOf(network("example.com", "A"))).toBe("ESERVFAIL");
    const html = createDohStub(zone, {
      override: () => new Response("<html>captive portal</html>", { headers: { "content-type": "text/html" } }),
    });
    expect(await codeOf(createDohResolver({ url: URL, fetch: html.fetch, cache: false })("example.com", "A"))).toBe(
      "EBADRESP",
    );
    const garbage = createDohStub(zone, {
      override: (answer) =>
        new Response(answer?.subarray(0, 20), { headers: { "content-type": "application/dns-message" } }),
    });
    expect(await codeOf(createDohResolver({ url: URL, fetch: garbage.fetch, cache: false })("example.com", "A"))).toBe(
      "EBADRESP",
    );
    const wrongId = createDohStub(zone, {
      override: (answer) => {
        const copy = Uint8Array.from(answer ?? []);
        copy[0] = (copy[0] ?? 0) ^ 0xff;
        return new Response(copy, { headers: { "content-type": "application/dns-message" } });
      },
    });
    expect(await codeOf(createDohResolver({ url: URL, fetch: wrongId.fetch, cache: false })("example.com", "A"))).toBe(
      "EBADRESP",
    );
  });

  it("caches answers for their TTL, by the injected clock", async () => {
    const time = clock();
    const stub = createDohStub(zone, { ttlSeconds: 30 });
    const resolve = createDohResolver({ url: URL, fetch: stub.fetch, now: time.now, cache: createDnsCache() });
    expect(await resolve("_dmarc.example.com", "TXT")).toEqual([["v=DMARC1; p=reject"]]);
    time.advance(29);
    expect(await resolve("_DMARC.example.com.", "TXT")).toEqual([["v=DMARC1; p=reject"]]);
    expect(stub.queries).toHaveLength(1);
    time.advance(2);
    expect(await resolve("_dmarc.example.com", "TXT")).toEqual([["v=DMARC1; p=reject"]]);
    expect(stub.queries).toHaveLength(2);
  });

  it("caps positive TTLs by maxTtlSeconds", async () => {
    const time = clock();
    const stub = createDohStub(zone, { ttlSeconds: 86400 });
    const cache = createDnsCache({ maxTtlSeconds: 60 });
    const resolve = createDohResolver({ url: URL, fetch: stub.fetch, now: time.now, cache });
    await resolve("example.com", "A");
    time.advance(59);
    await resolve("example.com", "A");
    expect(stub.queries).toHaveLength(1);
    time.advance(2);
    await resolve("example.com", "A");
    expect(stub.queries).toHaveLength(2);
  });

  it("caches negative answers briefly: SOA minimum, capped (RFC 2308 section 5)", async () => {
    const time = clock();
    const stub = createDohStub(zone, { negativeTtlSeconds: 3600 });
    const cache = createDnsCache({ negativeTtlCapSeconds: 60 });
    const resolve = createDohResolver({ url: URL, fetch: stub.fetch, now: time.now, cache });
    expect(await codeOf(resolve("nowhere.example.com", "TXT"))).toBe("ENOTFOUND");
    expect(await codeOf(resolve("_dmarc.example.com", "MX"))).toBe("ENODATA");
    time.advance(59);
    expect(await codeOf(resolve("nowhere.example.com", "TXT"))).toBe("ENOTFOUND");
    expect(await codeOf(resolve("_dmarc.example.com", "MX"))).toBe("ENODATA");
    expect(stub.queries).toHaveLength(2);
    time.advance(2);
    expect(await codeOf(resolve("nowhere.example.com", "TXT"))).toBe("ENOTFOUND");
    expect(stub.queries).toHaveLength(3);
    // A shorter SOA minimum wins over the cap.
    const short = createDohStub(zone, { negativeTtlSeconds: 5 });
    const resolveShort = createDohResolver({ url: URL, fetch: short.fetch, now: time.now, cache: createDnsCache() });
    await codeOf(resolveShort("nowhere.example.com", "TXT"));
    time.advance(6);
    await codeOf(resolveShort("nowhere.example.com", "TXT"));
    expect(short.queries).toHaveLength(2);
  });

  it("does not cache server failures or timeouts", async () => {
    const stub = createDohStub(zone);
    const resolve = createDohResolver({ url: URL, fetch: stub.fetch, cache: createDnsCache(), timeoutMs: 50 });
    expect(await codeOf(resolve("broken.example.com", "TXT"))).toBe("ESERVFAIL");
    expect(await codeOf(resolve("broken.example.com", "TXT"))).toBe("ESERVFAIL");
    expect(await codeOf(resolve("slow.example.com", "TXT"))).toBe("ETIMEOUT");
    expect(await codeOf(resolve("slow.example.com", "TXT"))).toBe("ETIMEOUT");
    expect(stub.queries).toHaveLength(4);
  });

  it("asks identical questions in flight once, and hands every caller its own copy", async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const stub = createDohStub(zone, { gate: () => gate });
    const resolve = createDohResolver({ url: URL, fetch: stub.fetch, cache: createDnsCache() });
    const same = [resolve("example.com", "MX"), resolve("EXAMPLE.com.", "MX"), resolve("example.com", "mx")];
    const other = resolve("example.com", "A");
    const missing = [resolve("nowhere.example.com", "TXT"), resolve("nowhere.example.com", "TXT")];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stub.queries).toHaveLength(3);
    open();
    const answers = (await Promise.all(same)) as { exchange: string }[][];
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).not.toBe(answers[1]);
    expect(await other).toEqual(["192.0.2.10"]);
    const errors = await Promise.all(missing.map((promise) => promise.catch((error: unknown) => error)));
    expect(errors[0]).toMatchObject({ code: "ENOTFOUND" });
    expect(errors[0]).not.toBe(errors[1]);
    // mailauth sorts and annotates what it gets; the cache must not see that.
    answers[0]!.reverse();
    (errors[0] as { spfResult?: unknown }).spfResult = { error: "permerror" };
    expect(await resolve("example.com", "MX")).toEqual([
      { exchange: "mx1.example.com", priority: 10 },
      { exchange: "mx2.example.com", priority: 20 },
    ]);
    expect(await resolve("nowhere.example.com", "TXT").catch((error: unknown) => error)).not.toHaveProperty(
      "spfResult",
    );
    expect(stub.queries).toHaveLength(3);
  });

  it("evicts the least recently used entry when the cache is full", async () => {
    const stub = createDohStub(zone);
    const cache = createDnsCache({ maxEntries: 2 });
    const resolve = createDohResolver({ url: URL, fetch: stub.fetch, cache });
    await resolve("example.com", "A");
    await resolve("example.com", "AAAA");
    await resolve("example.com", "A"); // a hit: A is now the most recently used
    await resolve("example.com", "MX"); // evicts AAAA
    expect(cache.size).toBe(2);
    expect(stub.queries).toHaveLength(3);
    await resolve("example.com", "A");
    expect(stub.queries).toHaveLength(3);
    await resolve("example.com", "AAAA");
    expect(stub.queries).toHaveLength(4);
  });

  it("shares the isolate's default cache between resolvers, keyed by endpoint", async () => {
    const url = `https://doh-${crypto.randomUUID()}.test/dns-query`;
    const stub = createDohStub(zone);
    const before = defaultDnsCache.size;
    await createDohResolver({ url, fetch: stub.fetch })("example.com", "TXT");
    await createDohResolver({ url, fetch: stub.fetch })("example.com", "TXT");
    expect(stub.queries).toHaveLength(1);
    expect(defaultDnsCache.size).toBe(before + 1);
    await createDohResolver({ url: `${url}?other`, fetch: stub.fetch })("example.com", "TXT");
    expect(stub.queries).toHaveLength(2);
  });
});

describe("mailauth through the DoH resolver", () => {
  it("verifies a DKIM signature whose 2048-bit key spans several character-strings", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const pub = (publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");
    const record = `v=DKIM1; k=rsa; p=${pub}`;
    expect(record.length).toBeGreaterThan(255);
    const stub = createDohStub({ "s1._domainkey.example.com": { TXT: [record] } });
    // mailauth types its resolver narrower than Node's contract (MX answers are objects).
    const resolver = createDohResolver({ url: URL, fetch: stub.fetch, cache: createDnsCache() }) as DNSResolver;
    expect(((await resolver("s1._domainkey.example.com", "TXT")) as string[][])[0]?.length).toBe(2);
    const message = "From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nhello\r\n";
    const signed = await dkimSign(message, {
      signatureData: [{ signingDomain: "example.com", selector: "s1", privateKey: pem }],
    } as Parameters<typeof dkimSign>[1]);
    const pass = await dkimVerify(signed.signatures + message, { resolver });
    expect(pass.results[0]?.status.result).toBe("pass");
    const missing = await dkimVerify(signed.signatures.replace("s=s1", "s=s2") + message, { resolver });
    expect(missing.results[0]?.status.result).not.toBe("pass");
  });
});
