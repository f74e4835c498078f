/**
 * A resolver that answers from a declared zone, with no network: for tests (a test declares its
 * DNS instead of mocking a module) and for local development. It answers like Node's resolver and
 * like the DoH resolver on the same data, so a test exercises what production sees.
 *
 * Zone shape: `{ "name": { TXT: [...], A: [...], MX: [...], ... } }`.
 * - Names are case-insensitive (RFC 4343) and a trailing dot is tolerated.
 * - TXT/SPF values: a string (one character-string) or a string[] (the chunks of one record).
 * - MX values: `{ exchange, priority }` or `[priority, exchange]` (the OpenSPF suite's form).
 * - A/AAAA/PTR/CNAME/NS values: strings.
 * - `{ error: "ETIMEOUT" }` (or any DnsErrorCode) as a value makes that question fail with it.
 * - `"*": [{ error: "ETIMEOUT" }]` makes every type the name does not list fail with it (the
 *   OpenSPF suite's bare TIMEOUT).
 * - An unknown name is NXDOMAIN (ENOTFOUND); a known name without the type is NODATA (ENODATA);
 *   a type listed with no values is NODATA too.
 * - A CNAME is followed for other types (RFC 1034 section 3.6.2); a loop fails like a recursive
 *   resolver fails it (ESERVFAIL).
 * - A TXT question at a name with SPF (type 99) records but no TXT gets the SPF records, as the
 *   OpenSPF suite serves them (RFC 7208 section 3.1 retired type 99 in favour of TXT).
 */
import { canonicalName } from "../../../src/dns/domain-name";
import { MAX_CNAME_CHAIN } from "../../../src/dns/read-answer";
import { type DnsErrorCode, dnsError, isSupportedType, type MxAnswer, type Resolver } from "../../../src/dns/types";

export type ZoneType = "TXT" | "A" | "AAAA" | "MX" | "PTR" | "CNAME" | "NS" | "SPF";
export type Zone = Record<string, Partial<Record<ZoneType | "*", unknown[]>>>;
/** A zone value that stands for a failed lookup instead of a record. */
export type ZoneErrorMarker = { error: DnsErrorCode };

const ERROR_CODES = new Set<string>(["ENOTFOUND", "ENODATA", "ETIMEOUT", "ESERVFAIL", "EREFUSED", "EBADRESP"]);

type Declared = { values: unknown[]; error?: DnsErrorCode };
export type ZoneNode = Partial<Record<ZoneType | "*", Declared>>;

const bare = (name: string) => (name.endsWith(".") ? name.slice(0, -1) : name);

function errorMarker(value: unknown): DnsErrorCode | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("error" in value)) return undefined;
  const code = (value as { error: unknown }).error;
  if (typeof code !== "string" || !ERROR_CODES.has(code)) throw new TypeError(`zone: unknown error marker ${code}`);
  return code as DnsErrorCode;
}

/** One declared value in Node's answer shape; a misdeclared zone is a bug in the test, so it throws. */
function normalizeValue(owner: string, type: ZoneType | "*", value: unknown): unknown {
  const wrong = () => new TypeError(`zone: bad ${type} value at ${owner}: ${JSON.stringify(value)}`);
  switch (type) {
    case "TXT":
    case "SPF":
      if (typeof value === "string") return [value];
      if (Array.isArray(value) && value.every((chunk) => typeof chunk === "string")) return [...value];
      throw wrong();
    case "MX": {
      if (Array.isArray(value) && typeof value[0] === "number" && typeof value[1] === "string") {
        return { exchange: bare(value[1]), priority: value[0] } satisfies MxAnswer;
      }
      const mx = value as Partial<MxAnswer> | null;
      if (typeof mx?.exchange === "string" && typeof mx.priority === "number") {
        return { exchange: bare(mx.exchange), priority: mx.priority } satisfies MxAnswer;
      }
      throw wrong();
    }
    case "A":
    case "AAAA":
      if (typeof value === "string") return value;
      throw wrong();
    case "PTR":
    case "CNAME":
    case "NS":
      if (typeof value === "string") return bare(value);
      throw wrong();
    case "*":
      // Only error markers make sense for "every other type".
      throw wrong();
    default:
      // A JSON zone file is not type-checked: name the key instead of serving nothing.
      throw new TypeError(`zone: unsupported record type ${String(type)} at ${owner}`);
  }
}

/** A zone checked and indexed by lower-case name, ready for lookups. */
export type CompiledZone = ReadonlyMap<string, ZoneNode>;

export function compileZone(zone: Zone): CompiledZone {
  const nodes = new Map<string, ZoneNode>();
  for (const [owner, types] of Object.entries(zone)) {
    const key = bare(owner).toLowerCase();
    const node: ZoneNode = nodes.get(key) ?? {};
    for (const [type, values] of Object.entries(types) as [ZoneType | "*", unknown[] | undefined][]) {
      if (!Array.isArray(values)) throw new TypeError(`zone: ${type} at ${owner} must be a list`);
      const declared: Declared = node[type] ?? { values: [] };
      for (const value of values) {
        const code = errorMarker(value);
        if (code) declared.error ??= code;
        else declared.values.push(normalizeValue(owner, type, value));
      }
      node[type] = declared;
    }
    nodes.set(key, node);
  }
  return nodes;
}

/** What the zone says about a question: the CNAMEs followed, then the records or the failure. */
export type ZoneLookup = {
  /** CNAME records followed from the asked name, in order (RFC 1034 section 3.6.2). */
  aliases: { owner: string; target: string }[];
  /** The name the answer (or failure) is about: the asked name, or the last CNAME target. */
  owner: string;
} & ({ ok: true; type: ZoneType; values: unknown[] } | { ok: false; code: DnsErrorCode; detail?: string });

/** Looks `type` up at the canonical `name`, following CNAMEs, without throwing. */
export function lookupZone(zone: CompiledZone, name: string, type: string): ZoneLookup {
  const aliases: ZoneLookup["aliases"] = [];
  let owner = name;
  const visited = new Set([owner]);
  for (;;) {
    const node = zone.get(owner);
    if (!node) return { aliases, owner, ok: false, code: "ENOTFOUND" };
    const ownType: ZoneType | undefined = node[type as ZoneType]
      ? (type as ZoneType)
      : type === "TXT" && node.SPF
        ? "SPF"
        : undefined;
    const own = ownType && node[ownType];
    if (ownType && own) {
      if (own.error) return { aliases, owner, ok: false, code: own.error, detail: "declared in the zone" };
      if (own.values.length === 0) return { aliases, owner, ok: false, code: "ENODATA" };
      return { aliases, owner, ok: true, type: ownType, values: structuredClone(own.values) };
    }
    const alias = node.CNAME;
    const target = alias?.values[0];
    if (type !== "CNAME" && alias?.error)
      return { aliases, owner, ok: false, code: alias.error, detail: "declared in the zone" };
    if (type !== "CNAME" && typeof target === "string") {
      const next = target.toLowerCase();
      aliases.push({ owner, target: next });
      if (visited.has(next)) return { aliases, owner, ok: false, code: "ESERVFAIL", detail: "CNAME loop" };
      if (visited.size > MAX_CNAME_CHAIN)
        return { aliases, owner, ok: false, code: "ESERVFAIL", detail: "CNAME chain too long" };
      visited.add(next);
      owner = next;
      continue;
    }
    const fallback = node["*"];
    if (fallback?.error) return { aliases, owner, ok: false, code: fallback.error, detail: "declared in the zone" };
    return { aliases, owner, ok: false, code: "ENODATA" };
  }
}

export function createZoneResolver(zone: Zone): Resolver {
  const compiled = compileZone(zone);
  return async (name, rrtype) => {
    const type = String(rrtype).toUpperCase();
    if (!isSupportedType(type)) throw dnsError("ENOTIMP", name, `record type ${rrtype}`);
    const found = lookupZone(compiled, canonicalName(name), type);
    if (!found.ok) throw dnsError(found.code, name, found.detail);
    return found.values;
  };
}
