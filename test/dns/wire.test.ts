import { describe, expect, it } from "vitest";
import { decodeMessage } from "../../src/dns/decode-message";
import { bytesToIpv6 } from "../../src/dns/ip-address";
import {
  CLASS_IN,
  type DnsMessage,
  type DnsRecord,
  EDNS_UDP_PAYLOAD_SIZE,
  encodeQuery,
  MAX_COMPRESSION_POINTERS,
  RCODE,
  WireFormatError,
} from "../../src/dns/wire";
import { encodeMessage, splitCharacterStrings } from "../support/dns/encode-message";
import { ipv6ToBytes } from "../support/dns/ip-address";

/** Bytes from numbers and ASCII strings, to write packets by hand as RFC 1035 draws them. */
function bytes(...parts: (number | string)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") out.push(part);
    else for (const char of part) out.push(char.charCodeAt(0));
  }
  return Uint8Array.from(out);
}

const u16 = (value: number) => [value >> 8, value & 0xff] as const;

function header(id: number, flags: number, qd: number, an: number, ns = 0, ar = 0): number[] {
  return [...u16(id), ...u16(flags), ...u16(qd), ...u16(an), ...u16(ns), ...u16(ar)];
}

function response(answers: DnsRecord[], extra: Partial<DnsMessage> = {}): DnsMessage {
  return {
    id: 4242,
    flags: { qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, ad: false, cd: false, rcode: 0 },
    questions: [{ name: "example.com", type: "TXT", class: CLASS_IN }],
    answers,
    authorities: [],
    additionals: [],
    ...extra,
  };
}

describe("encodeQuery", () => {
  it("asks one recursive question with an EDNS(0) OPT record (RFC 1035 4.1, RFC 6891)", () => {
    const query = encodeQuery("selector._domainkey.Example.COM.", "TXT", { id: 0xbeef });
    // Header: id, flags with only RD set, QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT 1.
    expect(Array.from(query.subarray(0, 12))).toEqual(header(0xbeef, 0x0100, 1, 0, 0, 1));
    // The question, uncompressed, case preserved, then TYPE 16 CLASS 1.
    expect(Array.from(query.subarray(12, 12 + 37))).toEqual(
      Array.from(bytes(8, "selector", 10, "_domainkey", 7, "Example", 3, "COM", 0, 0, 16, 0, 1)),
    );
    const decoded = decodeMessage(query);
    expect(decoded.questions).toEqual([{ name: "selector._domainkey.Example.COM", type: "TXT", class: 1 }]);
    expect(decoded.additionals).toEqual([
      { name: "", type: "OPT", class: EDNS_UDP_PAYLOAD_SIZE, ttl: 0, data: new Uint8Array() },
    ]);
    expect(decoded.flags.rd).toBe(true);
    expect(decoded.flags.qr).toBe(false);
  });

  it("omits OPT on request and draws a random id otherwise", () => {
    expect(decodeMessage(encodeQuery("example.com", "A", { edns: false })).additionals).toEqual([]);
    const ids = new Set(Array.from({ length: 32 }, () => decodeMessage(encodeQuery("example.com", "A")).id));
    expect(ids.size).toBeGreaterThan(16);
  });

  it("refuses names that are not DNS names with EBADNAME", () => {
    for (const name of ["a..b", `${"x".repeat(64)}.example`, `${"abcdefghi.".repeat(26)}com`, ".example.com"]) {
      expect(() => encodeQuery(name, "A")).toThrow(expect.objectContaining({ code: "EBADNAME" }));
    }
    // 63-octet labels and a 253-character name are the limits, and legal.
    const longest = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    expect(longest.length).toBe(253);
    expect(decodeMessage(encodeQuery(longest, "A")).questions[0]?.name).toBe(longest);
  });
});

describe("decodeMessage", () => {
  it("follows compression pointers as in RFC 1035 section 4.1.4", () => {
    // Question example.com/A at offset 12. Answer 1: example.com (pointer to 12) CNAME
    // www.example.com written as the label "www" plus a pointer to 12, at offset 41. Answer 2:
    // its owner is a pointer to offset 41, A 192.0.2.1.
    const packet = bytes(
      ...header(7, 0x8180, 1, 2),
      7,
      "example",
      3,
      "com",
      0,
      ...u16(1),
      ...u16(1),
      0xc0,
      12,
      ...u16(5),
      ...u16(1),
      0,
      0,
      0,
      60,
      ...u16(6),
      3,
      "www",
      0xc0,
      12,
      0xc0,
      41,
      ...u16(1),
      ...u16(1),
      0,
      0,
      0,
      30,
      ...u16(4),
      192,
      0,
      2,
      1,
    );
    const message = decodeMessage(packet);
    expect(message.answers).toEqual([
      { name: "example.com", type: "CNAME", class: 1, ttl: 60, data: "www.example.com" },
      { name: "www.example.com", type: "A", class: 1, ttl: 30, data: "192.0.2.1" },
    ]);
    expect(message.flags).toMatchObject({ qr: true, rd: true, ra: true, rcode: RCODE.NOERROR });
  });

  it("rejects a pointer to itself, a label loop and a forward pointer instead of hanging", () => {
    const loops = [
      bytes(...header(1, 0x8180, 1, 0), 0xc0, 12, ...u16(1), ...u16(1)),
      bytes(...header(1, 0x8180, 1, 0), 1, "a", 0xc0, 12, ...u16(1), ...u16(1)),
      bytes(...header(1, 0x8180, 1, 0), 0xc0, 14, 0xc0, 12, ...u16(1), ...u16(1)),
    ];
    for (const packet of loops) {
      expect(() => decodeMessage(packet)).toThrow(WireFormatError);
    }
  });

  it(`stops after ${MAX_COMPRESSION_POINTERS} pointers even when each points backwards`, () => {
    // Question 0 is "a"; question k is a pointer to question k-1, so it takes k pointers to read.
    const build = (count: number) => {
      const parts: number[] = [...header(1, 0x8180, count, 0), 1, 97, 0, ...u16(1), ...u16(1)];
      let previous = 12;
      for (let k = 1; k < count; k++) {
        const here = parts.length;
        parts.push(0xc0 | (previous >> 8), previous & 0xff, ...u16(1), ...u16(1));
        previous = here;
      }
      return Uint8Array.from(parts);
    };
    expect(decodeMessage(build(MAX_COMPRESSION_POINTERS + 1)).questions.at(-1)?.name).toBe("a");
    expect(() => decodeMessage(build(MAX_COMPRESSION_POINTERS + 2))).toThrow(/too many compression pointers/);
  });

  it("rejects every truncation of a valid response", () => {
    const full = encodeMessage(
      response(
        [
          { name: "example.com", type: "TXT", class: 1, ttl: 60, data: ["v=spf1 ", "-all"] },
          { name: "example.com", type: "MX", class: 1, ttl: 60, data: { exchange: "mx.example.com", priority: 10 } },
        ],
        {
          authorities: [
            {
              name: "example.com",
              type: "SOA",
              class: 1,
              ttl: 60,
              data: {
                nsname: "ns.example.com",
                hostmaster: "hostmaster.example.com",
                serial: 2026112501,
                refresh: 7200,
                retry: 900,
                expire: 1209600,
                minttl: 300,
              },
            },
          ],
        },
      ),
    );
    expect(decodeMessage(full).answers).toHaveLength(2);
    for (let length = 0; length < full.length; length++) {
      expect(() => decodeMessage(full.subarray(0, length)), `prefix of ${length} octets`).toThrow(WireFormatError);
    }
  });

  it("rejects record data whose length does not match its type", () => {
    const packet = bytes(...header(1, 0x8180, 0, 1), 0, ...u16(1), ...u16(1), 0, 0, 0, 1, ...u16(5), 192, 0, 2, 1, 9);
    expect(() => decodeMessage(packet)).toThrow(/A record of 5 octets/);
    const txt = bytes(...header(1, 0x8180, 0, 1), 0, ...u16(16), ...u16(1), 0, 0, 0, 1, ...u16(3), 5, "ab");
    expect(() => decodeMessage(txt)).toThrow(WireFormatError);
  });

  it("reads TXT records of several character-strings and MX records", () => {
    const key = `v=DKIM1; k=rsa; p=${"A".repeat(392)}`;
    const chunks = splitCharacterStrings(key);
    expect(chunks.map((chunk) => chunk.length)).toEqual([255, key.length - 255]);
    const message = decodeMessage(
      encodeMessage(
        response([
          { name: "example.com", type: "TXT", class: 1, ttl: 300, data: chunks },
          { name: "example.com", type: "MX", class: 1, ttl: 300, data: { exchange: "mx1.example.com", priority: 5 } },
          { name: "example.com", type: "MX", class: 1, ttl: 300, data: { exchange: "mx2.example.com", priority: 20 } },
        ]),
      ),
    );
    expect(message.answers.map((record) => record.data)).toEqual([
      chunks,
      { exchange: "mx1.example.com", priority: 5 },
      { exchange: "mx2.example.com", priority: 20 },
    ]);
    expect((message.answers[0]!.data as string[]).join("")).toBe(key);
  });

  it("keeps TXT octets as they are: a leading U+FEFF, non-ASCII, an empty character-string", () => {
    const data = ["\uFEFFbom", "h\u00e9llo \u{1F4EB}", ""];
    const message = response([{ name: "example.com", type: "TXT", class: 1, ttl: 1, data }]);
    expect(decodeMessage(encodeMessage(message)).answers[0]?.data).toEqual(data);
  });

  it("compresses repeated names and decodes to the same message", () => {
    const records: DnsRecord[] = [
      { name: "example.com", type: "NS", class: 1, ttl: 1, data: "ns1.example.com" },
      { name: "example.com", type: "NS", class: 1, ttl: 1, data: "ns2.example.com" },
      { name: "1.2.0.192.in-addr.arpa", type: "PTR", class: 1, ttl: 1, data: "mail.example.com" },
      { name: "example.com", type: "AAAA", class: 1, ttl: 1, data: "2001:db8::25" },
    ];
    const message = response(records);
    const compressed = encodeMessage(message);
    const plain = encodeMessage(message, { compress: false });
    expect(compressed.length).toBeLessThan(plain.length);
    expect(decodeMessage(compressed)).toEqual(message);
    expect(decodeMessage(plain)).toEqual(message);
  });

  it("reads the extended RCODE from OPT and treats a TTL with the top bit set as 0 (RFC 2181 8)", () => {
    const message = response([{ name: "example.com", type: "A", class: 1, ttl: 0x80000001, data: "192.0.2.9" }], {
      additionals: [{ name: "", type: "OPT", class: 1232, ttl: 0, data: new Uint8Array() }],
    });
    message.flags.rcode = 16; // BADVERS
    const decoded = decodeMessage(encodeMessage(message));
    expect(decoded.flags.rcode).toBe(16);
    expect(decoded.answers[0]?.ttl).toBe(0);
  });

  it("keeps unknown types as raw data (RFC 3597)", () => {
    const message = response([{ name: "example.com", type: "TYPE257", class: 1, ttl: 5, data: Uint8Array.of(0, 5) }]);
    expect(decodeMessage(encodeMessage(message)).answers[0]).toEqual(message.answers[0]);
  });
});

describe("IPv6 text", () => {
  it("writes the RFC 5952 canonical form and reads embedded IPv4", () => {
    expect(bytesToIpv6(ipv6ToBytes("2001:0DB8:0:0:1:0:0:1"))).toBe("2001:db8::1:0:0:1");
    expect(bytesToIpv6(ipv6ToBytes("::"))).toBe("::");
    expect(bytesToIpv6(ipv6ToBytes("2001:db8:0:1:1:1:1:1"))).toBe("2001:db8:0:1:1:1:1:1");
    expect(bytesToIpv6(ipv6ToBytes("::ffff:192.0.2.1"))).toBe("::ffff:c000:201");
    expect(() => ipv6ToBytes("1::2::3")).toThrow(RangeError);
    expect(() => ipv6ToBytes("1:2:3:4:5:6:7:8:9")).toThrow(RangeError);
  });
});
