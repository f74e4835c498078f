/**
 * DNS messages in the RFC 1035 section 4 wire format, which is the body of an RFC 8484
 * `application/dns-message` exchange: the message shape, the type and class codes, and the one
 * message the resolver writes, its query. decode-message.ts reads the answers.
 *
 * Written by hand because no maintained library fits workerd without extra weight: `dns-packet`
 * (the common choice) is CommonJS built on Node's `Buffer` plus a separate IP codec package, and is
 * not among the project's dependencies. Facteur needs a small subset (one question out; A, AAAA,
 * TXT, MX, CNAME, PTR, NS, SOA and OPT in), which fits on plain `Uint8Array`s.
 */
import { nameToLabels } from "./domain-name";
import type { MxAnswer, SoaAnswer, SupportedType } from "./types";

/** RFC 1035 section 4.2.2 / RFC 8484 section 6: a DNS message is at most 65535 octets. */
export const MAX_MESSAGE_OCTETS = 65_535;
/**
 * Compression pointers followed while reading one name. Each pointer must also point strictly
 * before the labels it continues (RFC 1035 section 4.1.4: "a prior occurrence"), which alone ends
 * every walk; the count is a second bound, because a crafted response must not cost CPU time.
 */
export const MAX_COMPRESSION_POINTERS = 32;
/** RFC 6891 section 6.2.5 / DNS flag day 2020: a payload size every path carries unfragmented. */
export const EDNS_UDP_PAYLOAD_SIZE = 1232;

/** RR TYPE codes (RFC 1035 section 3.2.2, RFC 3596 section 2.1, RFC 7208 section 3.1, RFC 6891). */
const TYPE_CODES = {
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

type DnsFlags = {
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

/** A fresh random message id (RFC 5452 section 9.2: unpredictable ids). */
export function randomId(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0]!;
}

/** RFC 1035 section 4.1.1: the header is six 16-bit fields. */
const HEADER_OCTETS = 12;
/** RFC 6891 section 6.1.2: the OPT record, root name (1), TYPE, CLASS, TTL (4) and RDLENGTH. */
const OPT_RECORD_OCTETS = 11;

/**
 * One recursive query (RD=1) for `name`/`type` in class IN, with an EDNS(0) OPT record unless
 * `edns: false` (RFC 6891: lets the server send answers larger than 512 octets). One question has
 * nothing to compress (RFC 1035 section 4.1.4), so its name is written as plain labels.
 */
export function encodeQuery(name: string, type: KnownType, options: { id?: number; edns?: boolean } = {}): Uint8Array {
  const labels = nameToLabels(name);
  const edns = options.edns !== false;
  const nameOctets = labels.reduce((sum, label) => sum + 1 + label.length, 1);
  const bytes = new Uint8Array(HEADER_OCTETS + nameOctets + 4 + (edns ? OPT_RECORD_OCTETS : 0));
  const view = new DataView(bytes.buffer);
  view.setUint16(0, options.id ?? randomId());
  view.setUint16(2, 0x0100); // only RD: a standard query asking for recursion (RFC 1035 section 4.1.1)
  view.setUint16(4, 1); // QDCOUNT; ANCOUNT and NSCOUNT stay 0
  view.setUint16(10, edns ? 1 : 0); // ARCOUNT
  let offset = HEADER_OCTETS;
  for (const label of labels) {
    bytes[offset] = label.length;
    bytes.set(label, offset + 1);
    offset += 1 + label.length;
  }
  offset += 1; // the root label, a zero octet
  view.setUint16(offset, typeCode(type));
  view.setUint16(offset + 2, CLASS_IN);
  offset += 4;
  if (edns) {
    // Root owner name (the zero octet), TYPE OPT, CLASS the UDP payload size we accept; TTL 0
    // (extended RCODE 0, version 0, no DO bit) and an empty RDATA stay zero octets.
    view.setUint16(offset + 1, TYPE_CODES.OPT);
    view.setUint16(offset + 3, EDNS_UDP_PAYLOAD_SIZE);
  }
  return bytes;
}
