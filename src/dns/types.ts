/**
 * The resolver contract mailauth's verifiers are written against: Node's `dns.promises.resolve`.
 * Answers: TXT (and SPF) → `string[][]` (character-strings per record, RFC 1035 section 3.3.14),
 * MX → `{ exchange, priority }[]`, A/AAAA → `string[]`, PTR/CNAME/NS → `string[]`, SOA → one object.
 * Failures are `Error`s whose `code` tells mailauth what happened (RFC 7208 section 5 and
 * RFC 7489 section 6.6.3 turn "no such name/data" into none/void and anything else into temperror).
 * mailauth's SPF evaluator passes a third argument (options); extra arguments are ignored.
 */
export type Resolver = (name: string, rrtype: string) => Promise<unknown>;

/** Error codes as Node's resolver uses them, and as mailauth (lib/spf, lib/dmarc, lib/arc) reads them. */
export type DnsErrorCode =
  /** NXDOMAIN: the name does not exist (RFC 1035 section 4.1.1, RCODE 3). */
  | "ENOTFOUND"
  /** NODATA: the name exists but has no record of the type (RFC 2308 section 2.2). */
  | "ENODATA"
  /** No answer in time. */
  | "ETIMEOUT"
  /** SERVFAIL, or any answer the server could not give (a temporary failure). */
  | "ESERVFAIL"
  /** REFUSED (RCODE 5): mailauth's SPF names it in its temperror text. */
  | "EREFUSED"
  /** A name that cannot be a DNS name (empty label, label over 63 octets, over 255 octets). */
  | "EBADNAME"
  /** A response that does not parse or does not answer the question asked. */
  | "EBADRESP"
  /** A record type this resolver does not implement. */
  | "ENOTIMP";

export type DnsError = Error & { code: DnsErrorCode; hostname: string };

/** A fresh error for every caller: mailauth annotates the error objects it receives (`err.spfResult`). */
export function dnsError(code: DnsErrorCode, name: string, detail?: string): DnsError {
  const error = new Error(`${code} ${name}${detail ? `: ${detail}` : ""}`) as DnsError;
  error.code = code;
  error.hostname = name;
  return error;
}

/** Record types the resolvers answer, the ones mailauth asks for plus SOA/SPF. */
const SUPPORTED_TYPES = ["A", "AAAA", "TXT", "MX", "CNAME", "PTR", "NS", "SOA", "SPF"] as const;
export type SupportedType = (typeof SUPPORTED_TYPES)[number];

export function isSupportedType(rrtype: string): rrtype is SupportedType {
  return (SUPPORTED_TYPES as readonly string[]).includes(rrtype);
}

export type MxAnswer = { exchange: string; priority: number };
export type SoaAnswer = {
  nsname: string;
  hostmaster: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minttl: number;
};
