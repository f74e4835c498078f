/**
 * The DoH resolver against the real local DoH server (scripts/doh-server.mjs, started by
 * test/dns/global-setup.ts) over a loopback socket: the path `wrangler dev` takes with
 * DOH_URL=http://127.0.0.1:8053/dns-query.
 */
import { describe, expect, inject, it } from "vitest";
import { createDnsCache } from "../../src/dns/cache";
import { decodeMessage } from "../../src/dns/decode-message";
import { createDohResolver } from "../../src/dns/doh";
import { encodeQuery } from "../../src/dns/wire";

const server = inject("dohServer");

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

// Runs when test/dns/global-setup.ts is listed in vitest.config.ts `globalSetup`.
describe.skipIf(!server)("scripts/doh-server.mjs over a real socket", () => {
  const url = server?.url ?? "";

  it("answers the resolver's POST queries from the zone file", async () => {
    const resolve = createDohResolver({ url, cache: false, timeoutMs: 5000 });
    expect(await resolve("example.test", "A")).toEqual(["192.0.2.25"]);
    expect(await resolve("example.test", "AAAA")).toEqual(["2001:db8::25"]);
    expect(await resolve("Example.Test.", "MX")).toEqual([{ exchange: "mx.example.test", priority: 10 }]);
    expect(await resolve("www.example.test", "TXT")).toEqual([["v=spf1 mx -all"]]);
    const key = (await resolve("long._domainkey.example.test", "TXT")) as string[][];
    expect(key).toHaveLength(1);
    expect(key[0]!.length).toBeGreaterThan(1);
    expect(key[0]!.join("")).toMatch(/^v=DKIM1; k=rsa; p=MIIB.*IDAQAB$/);
    expect(await codeOf(resolve("nowhere.example.test", "TXT"))).toBe("ENOTFOUND");
    expect(await codeOf(resolve("_dmarc.example.test", "A"))).toBe("ENODATA");
    expect(await codeOf(resolve("broken.example.test", "TXT"))).toBe("ESERVFAIL");
  });

  it("stays silent for a declared timeout, which the resolver reports as ETIMEOUT", async () => {
    const resolve = createDohResolver({ url, cache: false, timeoutMs: 300 });
    expect(await codeOf(resolve("slow.example.test", "TXT"))).toBe("ETIMEOUT");
  });

  it("serves TTLs the cache honours", async () => {
    let now = 0;
    let exchanges = 0;
    const resolve = createDohResolver({
      url,
      cache: createDnsCache(),
      now: () => now,
      fetch: (input, init) => {
        exchanges++;
        return fetch(input, init);
      },
    });
    await resolve("example.test", "A");
    now += 119_000; // the server's TTL is 120 s (global-setup.ts)
    await resolve("example.test", "A");
    expect(exchanges).toBe(1);
    now += 2_000;
    await resolve("example.test", "A");
    expect(exchanges).toBe(2);
  });

  it("answers RFC 8484 GET requests and refuses other media types", async () => {
    const dns = btoa(String.fromCharCode(...encodeQuery("example.test", "A", { id: 0 })))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    const response = await fetch(`${url}?dns=${dns}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/dns-message");
    const message = decodeMessage(new Uint8Array(await response.arrayBuffer()));
    expect(message.id).toBe(0);
    expect(message.answers.map((record) => record.data)).toEqual(["192.0.2.25"]);
    const wrong = await fetch(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect(wrong.status).toBe(415);
    await wrong.arrayBuffer();
  });
});
