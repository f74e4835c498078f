import { describe, expect, it } from "vitest";
import { MAX_CNAME_CHAIN, readAnswer } from "../../src/dns/read-answer";
import type { SupportedType } from "../../src/dns/types";
import { CLASS_IN, type DnsMessage, type DnsRecord, RCODE } from "../../src/dns/wire";

const soa = (ttl: number, minttl: number): DnsRecord => ({
  name: "example.com",
  type: "SOA",
  class: CLASS_IN,
  ttl,
  data: { nsname: "ns", hostmaster: "hm", serial: 1, refresh: 1, retry: 1, expire: 1, minttl },
});

function reply(
  name: string,
  type: SupportedType,
  answers: DnsRecord[],
  rcode: number = RCODE.NOERROR,
  authorities: DnsRecord[] = [],
): DnsMessage {
  return {
    id: 99,
    flags: { qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, ad: false, cd: false, rcode },
    questions: [{ name, type, class: CLASS_IN }],
    answers,
    authorities,
    additionals: [],
  };
}

const cname = (name: string, target: string, ttl = 300): DnsRecord => ({
  name,
  type: "CNAME",
  class: CLASS_IN,
  ttl,
  data: target,
});

describe("readAnswer", () => {
  it("follows the CNAME chain in the answer and keeps the smallest TTL", () => {
    const message = reply("Mail.Example.com", "A", [
      cname("mail.example.com", "edge.example.net", 120),
      cname("EDGE.example.net", "pool.example.org", 600),
      { name: "pool.example.org", type: "A", class: CLASS_IN, ttl: 40, data: "192.0.2.1" },
      { name: "pool.example.org", type: "A", class: CLASS_IN, ttl: 50, data: "192.0.2.2" },
      { name: "unrelated.example", type: "A", class: CLASS_IN, ttl: 1, data: "192.0.2.3" },
    ]);
    expect(readAnswer(message, { id: 99, name: "mail.example.com.", type: "A" })).toEqual({
      ok: true,
      value: ["192.0.2.1", "192.0.2.2"],
      ttl: 40,
    });
  });

  it("returns the CNAME itself when CNAME is asked", () => {
    const message = reply("www.example.com", "CNAME", [cname("www.example.com", "example.com", 77)]);
    expect(readAnswer(message, { id: 99, name: "www.example.com", type: "CNAME" })).toEqual({
      ok: true,
      value: ["example.com"],
      ttl: 77,
    });
  });

  it("reports a CNAME loop and an overlong chain as SERVFAIL", () => {
    const loop = reply("a.example", "TXT", [cname("a.example", "b.example"), cname("b.example", "a.example")]);
    expect(readAnswer(loop, { id: 99, name: "a.example", type: "TXT" })).toMatchObject({
      ok: false,
      code: "ESERVFAIL",
    });
    const chain = Array.from({ length: MAX_CNAME_CHAIN + 1 }, (_, i) => cname(`n${i}.example`, `n${i + 1}.example`));
    const long = reply("n0.example", "TXT", chain);
    expect(readAnswer(long, { id: 99, name: "n0.example", type: "TXT" })).toMatchObject({
      ok: false,
      code: "ESERVFAIL",
      detail: "CNAME chain too long",
    });
  });

  it("maps NXDOMAIN and NODATA with the RFC 2308 negative TTL", () => {
    const nx = reply("gone.example.com", "TXT", [], RCODE.NXDOMAIN, [soa(900, 120)]);
    expect(readAnswer(nx, { id: 99, name: "gone.example.com", type: "TXT" })).toEqual({
      ok: false,
      code: "ENOTFOUND",
      ttl: 120,
    });
    const nodata = reply("example.com", "AAAA", [], RCODE.NOERROR, [soa(30, 3600)]);
    expect(readAnswer(nodata, { id: 99, name: "example.com", type: "AAAA" })).toEqual({
      ok: false,
      code: "ENODATA",
      ttl: 30,
    });
    // Without an SOA a negative answer is not cached (RFC 2308 section 5).
    const bare = reply("example.com", "AAAA", []);
    expect(readAnswer(bare, { id: 99, name: "example.com", type: "AAAA" })).toMatchObject({ ttl: 0 });
    // A CNAME to a name that has no data of the type is NODATA too.
    const dangling = reply("www.example.com", "TXT", [cname("www.example.com", "example.net")]);
    expect(readAnswer(dangling, { id: 99, name: "www.example.com", type: "TXT" })).toMatchObject({ code: "ENODATA" });
  });

  it("maps SERVFAIL, REFUSED and other RCODEs to temporary failures", () => {
    const question = { id: 99, name: "example.com", type: "TXT" } as const;
    expect(readAnswer(reply("example.com", "TXT", [], RCODE.SERVFAIL), question)).toMatchObject({ code: "ESERVFAIL" });
    expect(readAnswer(reply("example.com", "TXT", [], RCODE.REFUSED), question)).toMatchObject({ code: "EREFUSED" });
    expect(readAnswer(reply("example.com", "TXT", [], RCODE.NOTIMP), question)).toMatchObject({ code: "ESERVFAIL" });
    expect(readAnswer(reply("example.com", "TXT", [], RCODE.FORMERR), question)).toMatchObject({ code: "ESERVFAIL" });
  });

  it("refuses a response that is not the answer to the question asked", () => {
    const good = reply("example.com", "TXT", []);
    const question = { id: 99, name: "example.com", type: "TXT" } as const;
    expect(readAnswer({ ...good, id: 100 }, question)).toMatchObject({ code: "EBADRESP" });
    expect(readAnswer(reply("example.org", "TXT", []), question)).toMatchObject({ code: "EBADRESP" });
    expect(readAnswer(reply("example.com", "MX", []), question)).toMatchObject({ code: "EBADRESP" });
    expect(readAnswer({ ...good, flags: { ...good.flags, qr: false } }, question)).toMatchObject({ code: "EBADRESP" });
  });

  it("returns the Node shapes: TXT chunks, MX objects, an SOA object", () => {
    const txt = reply("example.com", "TXT", [
      { name: "example.com", type: "TXT", class: CLASS_IN, ttl: 5, data: ["v=spf1 ", "mx -all"] },
      { name: "example.com", type: "TXT", class: CLASS_IN, ttl: 5, data: ["other"] },
    ]);
    expect(readAnswer(txt, { id: 99, name: "example.com", type: "TXT" })).toMatchObject({
      value: [["v=spf1 ", "mx -all"], ["other"]],
    });
    const mx = reply("example.com", "MX", [
      { name: "example.com", type: "MX", class: CLASS_IN, ttl: 5, data: { exchange: "mx.example.com", priority: 10 } },
    ]);
    expect(readAnswer(mx, { id: 99, name: "example.com", type: "MX" })).toMatchObject({
      value: [{ exchange: "mx.example.com", priority: 10 }],
    });
    const soaReply = reply("example.com", "SOA", [soa(5, 5)]);
    expect(readAnswer(soaReply, { id: 99, name: "example.com", type: "SOA" })).toMatchObject({
      value: { nsname: "ns", hostmaster: "hm", minttl: 5 },
    });
  });
});
