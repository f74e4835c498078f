/**
 * The server half of DNS over HTTPS for a declared zone: one wire-format query in, one wire-format
 * response out, shaped like a recursive resolver's (CNAME chain in the answer section, an SOA in
 * the authority section of negative answers for RFC 2308 caching). Used by `scripts/doh-server.mjs`
 * so `wrangler dev` needs no internet, and by the tests as the far end of the DoH resolver.
 */

import { decodeMessage } from "../../../src/dns/decode-message";
import { canonicalName } from "../../../src/dns/domain-name";
import { isSupportedType } from "../../../src/dns/types";
import { CLASS_IN, type DnsMessage, type DnsRecord, EDNS_UDP_PAYLOAD_SIZE, RCODE } from "../../../src/dns/wire";
import { encodeMessage, splitCharacterStrings } from "./encode-message";
import { type CompiledZone, lookupZone, type ZoneType } from "./zone";

export type ZoneServerOptions = {
  /** TTL of every record served (seconds); a function lets a test change it between answers. */
  ttlSeconds?: number | (() => number);
  /** SOA TTL and MINIMUM of negative answers (RFC 2308 section 4). */
  negativeTtlSeconds?: number;
};

export const DEFAULT_ZONE_TTL_SECONDS = 300;
export const DEFAULT_ZONE_NEGATIVE_TTL_SECONDS = 30;

function header(request: DnsMessage | undefined, rcode: number): DnsMessage {
  return {
    id: request?.id ?? 0,
    flags: {
      qr: true,
      opcode: request?.flags.opcode ?? 0,
      aa: false,
      tc: false,
      rd: request?.flags.rd ?? false,
      ra: true,
      ad: false,
      cd: false,
      rcode,
    },
    questions: request?.questions ?? [],
    answers: [],
    authorities: [],
    additionals: request?.additionals.some((record) => record.type === "OPT")
      ? [{ name: "", type: "OPT", class: EDNS_UDP_PAYLOAD_SIZE, ttl: 0, data: new Uint8Array() }]
      : [],
  };
}

function toRecord(owner: string, type: ZoneType, asked: string, value: unknown, ttl: number): DnsRecord {
  const base = { name: owner, class: CLASS_IN, ttl };
  switch (type) {
    case "TXT":
    case "SPF":
      // SPF records are served as TXT to a TXT question (see zone.ts). A declared chunk may be
      // longer than a <character-string> can hold (RFC 1035 section 3.3), so it is split.
      return {
        ...base,
        type: asked === "SPF" ? "SPF" : "TXT",
        data: (value as string[]).flatMap((chunk) => splitCharacterStrings(chunk)),
      };
    case "MX":
      return { ...base, type, data: value as { exchange: string; priority: number } };
    default:
      return { ...base, type, data: value as string };
  }
}

/**
 * The response to `query` from `zone`, or `undefined` when the zone declares ETIMEOUT for it (the
 * server stays silent, as a lost answer looks).
 */
export function answerFromZone(
  zone: CompiledZone,
  query: Uint8Array,
  options: ZoneServerOptions = {},
): Uint8Array | undefined {
  let request: DnsMessage;
  try {
    request = decodeMessage(query);
  } catch {
    return encodeMessage(header(undefined, RCODE.FORMERR));
  }
  const question = request.questions[0];
  if (request.flags.qr || request.questions.length !== 1 || !question) {
    return encodeMessage(header(request, RCODE.FORMERR));
  }
  if (request.flags.opcode !== 0 || question.class !== CLASS_IN) return encodeMessage(header(request, RCODE.NOTIMP));

  const ttlOption = options.ttlSeconds ?? DEFAULT_ZONE_TTL_SECONDS;
  const ttl = typeof ttlOption === "function" ? ttlOption() : ttlOption;
  const negativeTtl = options.negativeTtlSeconds ?? DEFAULT_ZONE_NEGATIVE_TTL_SECONDS;
  const soa: DnsRecord = {
    name: "",
    type: "SOA",
    class: CLASS_IN,
    ttl: negativeTtl,
    data: {
      nsname: "localhost",
      hostmaster: "hostmaster.localhost",
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minttl: negativeTtl,
    },
  };

  let name: string;
  try {
    name = canonicalName(question.name);
  } catch {
    return encodeMessage(header(request, RCODE.FORMERR));
  }
  const response = header(request, RCODE.NOERROR);
  if (!isSupportedType(question.type)) {
    response.authorities.push(soa);
    return encodeMessage(response);
  }
  const found = lookupZone(zone, name, question.type);
  response.answers.push(
    ...found.aliases.map(
      (alias): DnsRecord => ({ name: alias.owner, type: "CNAME", class: CLASS_IN, ttl, data: alias.target }),
    ),
  );
  if (found.ok) {
    try {
      response.answers.push(
        ...found.values.map((value) => toRecord(found.owner, found.type, question.type, value, ttl)),
      );
      return encodeMessage(response);
    } catch {
      // A value the wire cannot carry (a malformed address in the zone file): fail like a server.
      return encodeMessage(header(request, RCODE.SERVFAIL));
    }
  }
  switch (found.code) {
    case "ETIMEOUT":
      return undefined;
    case "ENOTFOUND":
      response.flags.rcode = RCODE.NXDOMAIN;
      response.authorities.push(soa);
      return encodeMessage(response);
    case "ENODATA":
      response.authorities.push(soa);
      return encodeMessage(response);
    case "EREFUSED":
      return encodeMessage(header(request, RCODE.REFUSED));
    default:
      return encodeMessage(header(request, RCODE.SERVFAIL));
  }
}
