/**
 * Reads a DNS message in the RFC 1035 section 4 wire format (the body of an RFC 8484 answer).
 *
 * The bytes come from the network, so every read is bounds-checked and every limit is a named
 * constant (wire.ts). Malformed input throws `WireFormatError` (code EBADRESP), never hangs.
 */
import { bytesToIpv4, bytesToIpv6 } from "./ip-address";
import {
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  type KnownType,
  MAX_COMPRESSION_POINTERS,
  MAX_MESSAGE_OCTETS,
  typeName,
  type UnknownType,
  WireFormatError,
} from "./wire";

// ignoreBOM keeps a leading U+FEFF in the text instead of dropping it: the octets are data.
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

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
