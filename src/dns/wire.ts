/**
 * DNS messages in the RFC 1035 section 4 wire format, which is the body of an RFC 8484
 * `application/dns-message` exchange.
 *
 * Written by hand because no maintained library fits workerd without extra weight: `dns-packet`
 * (the common choice) is CommonJS built on Node's `Buffer` plus a separate IP codec package, and is
 * not among the project's dependencies. Facteur needs a small subset (one question out; A, AAAA,
 * TXT, MX, CNAME, PTR, NS, SOA and OPT in), which fits in this file on plain `Uint8Array`s.
 *
 * The decoder reads bytes from the network, so every read is bounds-checked and every limit is a
 * named constant below. Malformed input throws `WireFormatError` (code EBADRESP), never hangs.
 */
import { nameToLabels } from "./domain-name";
import { bytesToIpv4, bytesToIpv6, ipv4ToBytes, ipv6ToBytes } from "./ip-address";
import type { MxAnswer, SoaAnswer, SupportedType } from "./types";

/** RFC 1035 section 4.2.2 / RFC 8484 section 6: a DNS message is at most 65535 octets. */
export const MAX_MESSAGE_OCTETS = 65_535;
/**
 * Compression pointers followed while reading one name. Each pointer must also point strictly
 * before the labels it continues (RFC 1035 section 4.1.4: "a prior occurrence"), which alone ends
 * every walk; the count is a second bound, because a crafted response must not cost CPU time.
 */
export const MAX_COMPRESSION_POINTERS = 32;
/** Only the first 16 KiB can be pointed at (RFC 1035 section 4.1.4: 14-bit offsets). */
const MAX_POINTER_OFFSET = 0x3fff;
/** RFC 1035 section 3.3: a <character-string> is a length octet and at most 255 octets. */
export const MAX_CHARACTER_STRING_OCTETS = 255;
/** RFC 6891 section 6.2.5 / DNS flag day 2020: a payload size every path carries unfragmented. */
export const EDNS_UDP_PAYLOAD_SIZE = 1232;

/** RR TYPE codes (RFC 1035 section 3.2.2, RFC 3596 section 2.1, RFC 7208 section 3.1, RFC 6891). */
export const TYPE_CODES = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  SPF: 99,
} as const satisfies Record<SupportedType | "OPT", number>;

export type KnownType = keyof typeof TYPE_CODES;
/** RFC 3597 section 5 spelling of a type this codec does not interpret. */
export type UnknownType = `TYPE${number}`;

/** RFC 1035 section 3.2.4: the Internet class. */
export const CLASS_IN = 1;

/** RCODE values (RFC 1035 section 4.1.1, RFC 6895 section 2.3). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;

export type DnsQuestion = { name: string; type: KnownType | UnknownType; class: number };

type RecordBase = { name: string; class: number; ttl: number };
export type DnsRecord =
  | (RecordBase & { type: "A" | "AAAA" | "CNAME" | "PTR" | "NS"; data: string })
  | (RecordBase & { type: "TXT" | "SPF"; data: string[] })
  | (RecordBase & { type: "MX"; data: MxAnswer })
  | (RecordBase & { type: "SOA"; data: SoaAnswer })
  /** RFC 6891 section 6.1.2: CLASS carries the UDP payload size, TTL the extended RCODE and flags. */
  | (RecordBase & { type: "OPT"; data: Uint8Array })
  | (RecordBase & { type: UnknownType; data: Uint8Array });

export type DnsFlags = {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** The full RCODE: the 4 header bits plus the OPT extension (RFC 6891 section 6.1.3). */
  rcode: number;
};

export type DnsMessage = {
  id: number;
  flags: DnsFlags;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
};

/** A response that is not a well-formed DNS message. Node's resolver uses the same code. */
export class WireFormatError extends Error {
  readonly code = "EBADRESP";
  override readonly name = "WireFormatError";
}

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the text instead of dropping it: the octets are data.
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

const typeNames = new Map<number, KnownType>(
  Object.entries(TYPE_CODES).map(([name, code]) => [code, name as KnownType]),
);

export function typeCode(type: KnownType | UnknownType): number {
  if (type in TYPE_CODES) return TYPE_CODES[type as KnownType];
  const match = /^TYPE(\d+)$/.exec(type);
  const code = match ? Number(match[1]) : Number.NaN;
  if (!(code >= 0 && code <= 0xffff)) throw new RangeError(`unknown record type ${type}`);
  return code;
}

export function typeName(code: number): KnownType | UnknownType {
  return typeNames.get(code) ?? `TYPE${code}`;
}

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

// ---------------------------------------------------------------------------------------------
// Encoding

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

/** A fresh random message id (RFC 5452 section 9.2: unpredictable ids). */
export function randomId(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0]!;
}

/**
 * One recursive query (RD=1) for `name`/`type` in class IN, with an EDNS(0) OPT record unless
 * `edns: false` (RFC 6891: lets the server send answers larger than 512 octets).
 */
export function encodeQuery(name: string, type: KnownType, options: { id?: number; edns?: boolean } = {}): Uint8Array {
  return encodeMessage({
    id: options.id ?? randomId(),
    flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 },
    questions: [{ name, type, class: CLASS_IN }],
    answers: [],
    authorities: [],
    additionals:
      options.edns === false
        ? []
        : [{ name: "", type: "OPT", class: EDNS_UDP_PAYLOAD_SIZE, ttl: 0, data: new Uint8Array() }],
  });
}

// ---------------------------------------------------------------------------------------------
// Decoding

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public offset = 0,
  ) {}

  need(count: number, what: string): void {
    if (this.offset + count > this.bytes.length) throw new WireFormatError(`truncated message reading ${what}`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const value = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return value;
  }

  u32(what: string): number {
    return this.u16(what) * 0x10000 + this.u16(what);
  }

  take(count: number, what: string): Uint8Array {
    this.need(count, what);
    const slice = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  /** A possibly compressed name (RFC 1035 section 4.1.4), returned without the trailing dot. */
  name(what: string): string {
    const { bytes } = this;
    const labels: string[] = [];
    let position = this.offset;
    let runStart = position;
    let resumeAt = -1;
    let pointers = 0;
    let wireOctets = 1;
    for (;;) {
      if (position >= bytes.length) throw new WireFormatError(`truncated name in ${what}`);
      const length = bytes[position]!;
      const kind = length & 0xc0;
      if (kind === 0xc0) {
        if (position + 1 >= bytes.length) throw new WireFormatError(`truncated compression pointer in ${what}`);
        const target = ((length & 0x3f) << 8) | bytes[position + 1]!;
        if (resumeAt < 0) resumeAt = position + 2;
        if (target >= runStart) throw new WireFormatError(`compression pointer loop or forward pointer in ${what}`);
        if (++pointers > MAX_COMPRESSION_POINTERS)
          throw new WireFormatError(`too many compression pointers in ${what}`);
        position = target;
        runStart = target;
        continue;
      }
      // 0x40 and 0x80 are the retired extended and reserved label types (RFC 6891 section 5).
      if (kind !== 0) throw new WireFormatError(`unsupported label type in ${what}`);
      if (length === 0) {
        position += 1;
        break;
      }
      if (position + 1 + length > bytes.length) throw new WireFormatError(`truncated label in ${what}`);
      wireOctets += 1 + length;
      if (wireOctets > 255) throw new WireFormatError(`name longer than 255 octets in ${what}`);
      labels.push(utf8Decoder.decode(bytes.subarray(position + 1, position + 1 + length)));
      position += 1 + length;
    }
    this.offset = resumeAt >= 0 ? resumeAt : position;
    return labels.join(".");
  }
}

function readRecordData(reader: Reader, type: KnownType | UnknownType, end: number, what: string): DnsRecord["data"] {
  const name = () => {
    const value = reader.name(what);
    if (reader.offset > end) throw new WireFormatError(`name runs past the record data of ${what}`);
    return value;
  };
  switch (type) {
    case "A":
      if (end - reader.offset !== 4) throw new WireFormatError(`A record of ${end - reader.offset} octets in ${what}`);
      return bytesToIpv4(reader.take(4, what));
    case "AAAA":
      if (end - reader.offset !== 16)
        throw new WireFormatError(`AAAA record of ${end - reader.offset} octets in ${what}`);
      return bytesToIpv6(reader.take(16, what));
    case "CNAME":
    case "PTR":
    case "NS":
      return name();
    case "MX": {
      const priority = reader.u16(what);
      return { exchange: name(), priority };
    }
    case "SOA": {
      const nsname = name();
      const hostmaster = name();
      return {
        nsname,
        hostmaster,
        serial: reader.u32(what),
        refresh: reader.u32(what),
        retry: reader.u32(what),
        expire: reader.u32(what),
        minttl: reader.u32(what),
      };
    }
    case "TXT":
    case "SPF": {
      const chunks: string[] = [];
      while (reader.offset < end) {
        const length = reader.u8(what);
        if (reader.offset + length > end) throw new WireFormatError(`character-string runs past ${what}`);
        chunks.push(utf8Decoder.decode(reader.take(length, what)));
      }
      return chunks;
    }
    default:
      return reader.take(end - reader.offset, what).slice();
  }
}

function readRecord(reader: Reader, section: string, index: number): DnsRecord {
  const what = `${section} record ${index}`;
  const name = reader.name(what);
  const type = typeName(reader.u16(what));
  const klass = reader.u16(what);
  const rawTtl = reader.u32(what);
  const length = reader.u16(what);
  reader.need(length, what);
  const end = reader.offset + length;
  const data = readRecordData(reader, type, end, what);
  if (reader.offset !== end) throw new WireFormatError(`record data length mismatch in ${what}`);
  // RFC 2181 section 8: a TTL with the top bit set is read as zero. OPT's TTL is flags, kept as is.
  const ttl = type !== "OPT" && rawTtl > 0x7fffffff ? 0 : rawTtl;
  return { name, type, class: klass, ttl, data } as DnsRecord;
}

/** Decodes a whole message; throws WireFormatError on anything malformed. */
export function decodeMessage(bytes: Uint8Array): DnsMessage {
  if (bytes.length > MAX_MESSAGE_OCTETS) throw new WireFormatError("DNS message longer than 65535 octets");
  const reader = new Reader(bytes);
  const id = reader.u16("header");
  const bits = reader.u16("header");
  const counts = [reader.u16("header"), reader.u16("header"), reader.u16("header"), reader.u16("header")];
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const what = `question ${i}`;
    questions.push({ name: reader.name(what), type: typeName(reader.u16(what)), class: reader.u16(what) });
  }
  const section = (label: string, count: number) =>
    Array.from({ length: count }, (_, i) => readRecord(reader, label, i));
  const answers = section("answer", counts[1]!);
  const authorities = section("authority", counts[2]!);
  const additionals = section("additional", counts[3]!);
  const opt = additionals.find((record) => record.type === "OPT");
  const extendedRcode = opt ? Math.floor(opt.ttl / 0x1000000) : 0;
  return {
    id,
    flags: {
      qr: (bits & 0x8000) !== 0,
      opcode: (bits >> 11) & 0xf,
      aa: (bits & 0x0400) !== 0,
      tc: (bits & 0x0200) !== 0,
      rd: (bits & 0x0100) !== 0,
      ra: (bits & 0x0080) !== 0,
      ad: (bits & 0x0020) !== 0,
      cd: (bits & 0x0010) !== 0,
      rcode: (extendedRcode << 4) | (bits & 0xf),
    },
    questions,
    answers,
    authorities,
    additionals,
  };
}
