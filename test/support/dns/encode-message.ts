/**
 * Writes whole DNS messages in the RFC 1035 section 4 wire format, with name compression: the
 * answering half that only the test zone server (zone-server.ts, and scripts/doh-server.mjs through
 * it) needs. The Worker itself only writes queries (src/dns/wire.ts encodeQuery).
 */
import { nameToLabels } from "../../../src/dns/domain-name";
import { type DnsMessage, type DnsRecord, MAX_MESSAGE_OCTETS, typeCode } from "../../../src/dns/wire";
import { ipv4ToBytes, ipv6ToBytes } from "./ip-address";

/** Only the first 16 KiB can be pointed at (RFC 1035 section 4.1.4: 14-bit offsets). */
const MAX_POINTER_OFFSET = 0x3fff;
/** RFC 1035 section 3.3: a <character-string> is a length octet and at most 255 octets. */
export const MAX_CHARACTER_STRING_OCTETS = 255;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * Splits text into <character-string>s of at most 255 octets (RFC 7208 section 3.3 and
 * RFC 6376 section 3.6.2.2 records are longer than that), never inside a UTF-8 sequence.
 */
export function splitCharacterStrings(text: string): string[] {
  const chunks: string[] = [];
  let chunk = "";
  let octets = 0;
  for (const char of text) {
    const size = utf8Encoder.encode(char).length;
    if (octets + size > MAX_CHARACTER_STRING_OCTETS) {
      chunks.push(chunk);
      chunk = "";
      octets = 0;
    }
    chunk += char;
    octets += size;
  }
  chunks.push(chunk);
  return chunks;
}

class Writer {
  private bytes = new Uint8Array(512);
  length = 0;
  /** Offsets of name suffixes already written, for compression (RFC 1035 section 4.1.4). */
  private readonly suffixes = new Map<string, number>();

  constructor(private readonly compress: boolean) {}

  private reserve(count: number): void {
    if (this.length + count > MAX_MESSAGE_OCTETS) throw new RangeError("DNS message longer than 65535 octets");
    if (this.length + count <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + count));
    grown.set(this.bytes);
    this.bytes = grown;
  }

  u8(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value & 0xff;
  }

  u16(value: number): void {
    this.u8(value >> 8);
    this.u8(value);
  }

  u32(value: number): void {
    this.u16(Math.floor(value / 0x10000));
    this.u16(value % 0x10000);
  }

  raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  setU16(offset: number, value: number): void {
    this.bytes[offset] = (value >> 8) & 0xff;
    this.bytes[offset + 1] = value & 0xff;
  }

  name(name: string): void {
    const labels = nameToLabels(name);
    // Suffixes match case-sensitively, so every name decodes with the case it was written in (a
    // case-insensitive match would hand "mx.Example.com" back for "mx.example.com").
    const texts = labels.map((label) => utf8Decoder.decode(label));
    for (let i = 0; i < labels.length; i++) {
      const key = texts.slice(i).join(".");
      const known = this.suffixes.get(key);
      if (known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      if (this.compress && this.length <= MAX_POINTER_OFFSET && !this.suffixes.has(key)) {
        this.suffixes.set(key, this.length);
      }
      const label = labels[i]!;
      this.u8(label.length);
      this.raw(label);
    }
    this.u8(0);
  }

  characterString(text: string): void {
    const data = utf8Encoder.encode(text);
    if (data.length > MAX_CHARACTER_STRING_OCTETS) {
      throw new RangeError("a TXT character-string is at most 255 octets; use splitCharacterStrings()");
    }
    this.u8(data.length);
    this.raw(data);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function writeRecord(out: Writer, record: DnsRecord): void {
  // RFC 3597 section 4: names inside RDATA may be compressed only for the RFC 1035 types.
  out.name(record.name);
  out.u16(typeCode(record.type));
  out.u16(record.class);
  out.u32(record.ttl);
  const lengthAt = out.length;
  out.u16(0);
  switch (record.type) {
    case "A":
      out.raw(ipv4ToBytes(record.data));
      break;
    case "AAAA":
      out.raw(ipv6ToBytes(record.data));
      break;
    case "CNAME":
    case "PTR":
    case "NS":
      out.name(record.data);
      break;
    case "MX":
      out.u16(record.data.priority);
      out.name(record.data.exchange);
      break;
    case "SOA":
      out.name(record.data.nsname);
      out.name(record.data.hostmaster);
      out.u32(record.data.serial);
      out.u32(record.data.refresh);
      out.u32(record.data.retry);
      out.u32(record.data.expire);
      out.u32(record.data.minttl);
      break;
    case "TXT":
    case "SPF":
      if (record.data.length === 0) throw new RangeError("a TXT record holds at least one character-string");
      for (const chunk of record.data) out.characterString(chunk);
      break;
    default:
      out.raw(record.data);
  }
  out.setU16(lengthAt, out.length - lengthAt - 2);
}

/** Encodes a whole message. Names are compressed unless `compress: false`. */
export function encodeMessage(message: DnsMessage, options: { compress?: boolean } = {}): Uint8Array {
  const out = new Writer(options.compress ?? true);
  const { flags } = message;
  const opt = message.additionals.find((record) => record.type === "OPT");
  out.u16(message.id);
  out.u16(
    (flags.qr ? 0x8000 : 0) |
      ((flags.opcode & 0xf) << 11) |
      (flags.aa ? 0x0400 : 0) |
      (flags.tc ? 0x0200 : 0) |
      (flags.rd ? 0x0100 : 0) |
      (flags.ra ? 0x0080 : 0) |
      (flags.ad ? 0x0020 : 0) |
      (flags.cd ? 0x0010 : 0) |
      (flags.rcode & 0xf),
  );
  if (flags.rcode > 0xf && !opt) throw new RangeError("an extended RCODE needs an OPT record (RFC 6891)");
  out.u16(message.questions.length);
  out.u16(message.answers.length);
  out.u16(message.authorities.length);
  out.u16(message.additionals.length);
  for (const question of message.questions) {
    out.name(question.name);
    out.u16(typeCode(question.type));
    out.u16(question.class);
  }
  for (const record of message.answers) writeRecord(out, record);
  for (const record of message.authorities) writeRecord(out, record);
  for (const record of message.additionals) {
    // RFC 6891 section 6.1.3: the upper 8 bits of the RCODE live in the OPT TTL.
    const ttl = record.type === "OPT" ? ((flags.rcode >> 4) * 0x1000000 + (record.ttl % 0x1000000)) >>> 0 : record.ttl;
    writeRecord(out, { ...record, ttl } as DnsRecord);
  }
  return out.result();
}
