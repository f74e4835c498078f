import { describe, expect, it } from "vitest";
import { createZoneResolver, type Zone } from "../support/dns/zone";

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

const zone: Zone = {
  "Example.COM.": {
    TXT: ["v=spf1 -all", ["v=DKIM1; p=AAAA", "BBBB"]],
    MX: [[10, "mx1.example.com."], { exchange: "mx2.example.com", priority: 20 }],
    A: ["192.0.2.1"],
  },
  "alias.example.com": { CNAME: ["Example.com."] },
  "loop1.example.com": { CNAME: ["loop2.example.com"] },
  "loop2.example.com": { CNAME: ["LOOP1.example.com"] },
  "empty.example.com": { TXT: [] },
  "spf-only.example.com": { SPF: ["v=spf1 a -all"] },
  "both.example.com": { SPF: ["v=spf1 -all"], TXT: ["v=spf1 +all"] },
  "slow.example.com": { "*": [{ error: "ETIMEOUT" }], A: ["192.0.2.2"] },
  "broken.example.com": { TXT: [{ error: "ESERVFAIL" }] },
  "2.0.0.192.in-addr.arpa": { PTR: ["alias.example.com."] },
};

describe("createZoneResolver", () => {
  const resolve = createZoneResolver(zone);

  it("answers in Node's shapes, names case-insensitive with or without the trailing dot", async () => {
    expect(await resolve("example.com", "TXT")).toEqual([["v=spf1 -all"], ["v=DKIM1; p=AAAA", "BBBB"]]);
    expect(await resolve("EXAMPLE.com.", "txt")).toEqual([["v=spf1 -all"], ["v=DKIM1; p=AAAA", "BBBB"]]);
    expect(await resolve("example.com", "MX")).toEqual([
      { exchange: "mx1.example.com", priority: 10 },
      { exchange: "mx2.example.com", priority: 20 },
    ]);
    expect(await resolve("2.0.0.192.in-addr.arpa", "PTR")).toEqual(["alias.example.com"]);
  });

  it("says NXDOMAIN for unknown names and NODATA for known names without the type", async () => {
    expect(await codeOf(resolve("unknown.example.com", "TXT"))).toBe("ENOTFOUND");
    expect(await codeOf(resolve("example.com", "AAAA"))).toBe("ENODATA");
    expect(await codeOf(resolve("empty.example.com", "TXT"))).toBe("ENODATA");
    const error = await resolve("unknown.example.com", "TXT").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ hostname: "unknown.example.com" });
  });

  it("follows CNAMEs for other types and fails a loop like a resolver (SERVFAIL)", async () => {
    expect(await resolve("alias.example.com", "A")).toEqual(["192.0.2.1"]);
    expect(await resolve("alias.example.com", "CNAME")).toEqual(["Example.com"]);
    expect(await codeOf(resolve("alias.example.com", "AAAA"))).toBe("ENODATA");
    expect(await codeOf(resolve("loop1.example.com", "A"))).toBe("ESERVFAIL");
    expect(await codeOf(resolve("loop1.example.com", "CNAME"))).toBeUndefined();
  });

  it("serves SPF (type 99) records as TXT when the name has no TXT, like the OpenSPF suite", async () => {
    expect(await resolve("spf-only.example.com", "TXT")).toEqual([["v=spf1 a -all"]]);
    expect(await resolve("both.example.com", "TXT")).toEqual([["v=spf1 +all"]]);
    expect(await resolve("both.example.com", "SPF")).toEqual([["v=spf1 -all"]]);
  });

  it("fails with declared errors: per type, and for every unlisted type with '*'", async () => {
    expect(await codeOf(resolve("broken.example.com", "TXT"))).toBe("ESERVFAIL");
    expect(await codeOf(resolve("broken.example.com", "A"))).toBe("ENODATA");
    expect(await codeOf(resolve("slow.example.com", "TXT"))).toBe("ETIMEOUT");
    expect(await codeOf(resolve("slow.example.com", "MX"))).toBe("ETIMEOUT");
    expect(await resolve("slow.example.com", "A")).toEqual(["192.0.2.2"]);
  });

  it("refuses names that cannot exist and types it does not implement", async () => {
    expect(await codeOf(resolve(`${"a".repeat(64)}.example.com`, "TXT"))).toBe("EBADNAME");
    expect(await codeOf(resolve("a..example.com", "TXT"))).toBe("EBADNAME");
    expect(await codeOf(resolve("example.com", "TLSA"))).toBe("ENOTIMP");
  });

  it("hands out copies, so a caller cannot change the zone", async () => {
    const first = (await resolve("example.com", "TXT")) as string[][];
    first[0]?.push("tampered");
    first.pop();
    expect(await resolve("example.com", "TXT")).toEqual([["v=spf1 -all"], ["v=DKIM1; p=AAAA", "BBBB"]]);
  });

  it("rejects a misdeclared zone when it is created", () => {
    expect(() => createZoneResolver({ "a.example": { MX: ["mx.example"] } })).toThrow(TypeError);
    expect(() => createZoneResolver({ "a.example": { TXT: [42] } })).toThrow(TypeError);
    expect(() => createZoneResolver({ "a.example": { TXT: [{ error: "EWHATEVER" }] } })).toThrow(TypeError);
    expect(() => createZoneResolver({ "a.example": { "*": ["value"] } })).toThrow(TypeError);
    expect(() => createZoneResolver({ "a.example": { SOA: ["x"] } } as unknown as Zone)).toThrow(/unsupported/);
  });
});
