/**
 * Turns a decoded DNS response into what Node's `dns.promises.resolve` would have given for the
 * question: the answer in Node's shape, or an error code, each with how long it may be cached.
 * A pure function, so the DoH resolver, the cache and the tests share one reading of RFC 1035,
 * RFC 2308 and RFC 6604.
 */
import type { DnsErrorCode, SupportedType } from "./types";
import { type DnsMessage, type DnsRecord, RCODE } from "./wire";

/** An answer or a failure, with the seconds it stays valid (0: do not cache). */
export type Outcome =
  | { ok: true; value: unknown; ttl: number }
  | { ok: false; code: DnsErrorCode; ttl: number; detail?: string };

/**
 * CNAME hops followed inside one answer. Recursive resolvers stop at about this many (BIND
 * allows 16), and a longer chain is a misconfiguration or an attack on the resolver's time.
 */
export const MAX_CNAME_CHAIN = 16;

export type Question = { id: number; name: string; type: SupportedType };

const key = (name: string) => (name.endsWith(".") ? name.slice(0, -1) : name).toLowerCase();

/**
 * RFC 2308 section 5: a negative answer is cached for min(SOA TTL, SOA MINIMUM) of the SOA in the
 * authority section; without an SOA it is not cached at all.
 */
export function negativeTtl(response: DnsMessage): number {
  const soa = response.authorities.find((record) => record.type === "SOA");
  return soa?.type === "SOA" ? Math.min(soa.ttl, soa.data.minttl) : 0;
}

/** Node's shape of a set of records of one type (see `Resolver` in types.ts). */
function nodeShape(type: SupportedType, records: DnsRecord[]): unknown {
  if (type === "SOA") return records[0]?.data;
  return records.map((record) => record.data);
}

export function readAnswer(response: DnsMessage, question: Question): Outcome {
  const asked = response.questions[0];
  // RFC 1035 section 7.3: a response must carry our id and echo our question, or it is not ours.
  if (
    !response.flags.qr ||
    response.id !== question.id ||
    response.questions.length !== 1 ||
    !asked ||
    asked.type !== question.type ||
    key(asked.name) !== key(question.name)
  ) {
    return { ok: false, code: "EBADRESP", ttl: 0, detail: "response does not answer the question asked" };
  }

  switch (response.flags.rcode) {
    case RCODE.NOERROR:
      break;
    // RFC 6604 section 3: after a CNAME chain the RCODE speaks of the last name, as Node reports it.
    case RCODE.NXDOMAIN:
      return { ok: false, code: "ENOTFOUND", ttl: negativeTtl(response) };
    case RCODE.REFUSED:
      return { ok: false, code: "EREFUSED", ttl: 0, detail: "the DNS server refused the query" };
    default:
      // SERVFAIL, FORMERR, NOTIMP and the rest: the answer is unknown, which is temporary for SPF
      // (RFC 7208 section 5 temperror) and DMARC (RFC 7489 section 6.6.3), and never cached.
      return { ok: false, code: "ESERVFAIL", ttl: 0, detail: `RCODE ${response.flags.rcode}` };
  }

  // RFC 1034 section 3.6.2: follow the CNAME chain the server put in the answer section.
  const records = response.answers.filter((record) => record.class === 1);
  let current = key(question.name);
  let ttl = Number.POSITIVE_INFINITY;
  const visited = new Set([current]);
  for (let hops = 0; ; hops++) {
    const matching = records.filter((record) => record.type === question.type && key(record.name) === current);
    if (matching.length > 0) {
      ttl = Math.min(ttl, ...matching.map((record) => record.ttl));
      return { ok: true, value: nodeShape(question.type, matching), ttl };
    }
    if (question.type === "CNAME") break;
    const alias = records.find((record) => record.type === "CNAME" && key(record.name) === current);
    if (alias?.type !== "CNAME") break;
    ttl = Math.min(ttl, alias.ttl);
    current = key(alias.data);
    if (visited.has(current)) return { ok: false, code: "ESERVFAIL", ttl: 0, detail: "CNAME loop" };
    if (hops + 1 > MAX_CNAME_CHAIN) return { ok: false, code: "ESERVFAIL", ttl: 0, detail: "CNAME chain too long" };
    visited.add(current);
  }
  // RFC 2308 section 2.2: NOERROR without the data is NODATA, the name exists.
  return { ok: false, code: "ENODATA", ttl: negativeTtl(response) };
}
