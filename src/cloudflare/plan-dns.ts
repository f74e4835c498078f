/**
 * The DNS records Facteur needs on a domain, diffed against what the zone has. Pure: the caller
 * fetched the records and applies the plan. Records Facteur creates carry a comment beginning with
 * MANAGED; only those are ever updated or deleted. A record someone else made is left as it is and,
 * when it does not do what Facteur needs, reported as a conflict with the exact fix.
 */
import { dkimTxt, EMAIL_ROUTING_MX } from "../credentials/dkim-keys";
import type { DkimKey } from "../store/dkim-keys";

export const MANAGED = "facteur: managed";

export interface ZoneRecord {
  id: string;
  type: string;
  name: string;
  content: string;
  comment?: string | null;
}

export type DnsAction = "create" | "update" | "delete" | "keep" | "conflict" | "email-routing-dns";

export interface DnsChange {
  action: DnsAction;
  type: "TXT" | "MX";
  name: string;
  content: string;
  /** The record's current content, when it exists. */
  current?: string;
  id?: string;
  note?: string;
}

export interface DnsInputs {
  domain: string;
  keys: Pick<DkimKey, "selector" | "active" | "algorithm" | "publicKey">[];
  /** The outbound relay's SPF include (RFC 7208 section 5.2), when it has one. */
  relayInclude: string | null;
  records: ZoneRecord[];
  /** Where DMARC aggregate reports reach Facteur (the domain's report address, health/records.ts). */
  dmarcRua: string;
  /** The _mta-sts and _smtp._tls records, when the domain has them enabled. */
  reporting: { name: string; content: string }[];
}

/** Cloudflare may return TXT content quoted, and split into 255-octet strings (RFC 1035 3.3.14). */
export function txtValue(content: string): string {
  const trimmed = content.trim();
  if (!trimmed.startsWith('"')) return trimmed;
  return [...trimmed.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1")).join("");
}

const same = (a: string, b: string) => txtValue(a).replace(/\s+/g, " ") === txtValue(b).replace(/\s+/g, " ");
const ours = (r: ZoneRecord) => (r.comment ?? "").startsWith(MANAGED);
const at = (records: ZoneRecord[], name: string, type: string) =>
  records.filter((r) => r.type === type && r.name.toLowerCase() === name.toLowerCase());

export function spfFor(relayInclude: string | null): string {
  // Email Routing's forwarders send as the domain (DESIGN.md); the relay sends Facteur's own mail.
  const includes = ["_spf.mx.cloudflare.net", ...(relayInclude ? [relayInclude] : [])];
  return `v=spf1 ${includes.map((i) => `include:${i}`).join(" ")} ~all`;
}

export function dmarcFor(rua: string): string {
  // RFC 7489 section 6.3: aggregate reports (rua) to the domain's report address, which Facteur stores.
  return `v=DMARC1; p=none; adkim=r; aspf=r; rua=${rua}`;
}

/** One wanted TXT record against what is at its name. */
function want(
  name: string,
  content: string,
  existing: ZoneRecord[],
  satisfied: (c: string) => boolean,
  fix: string,
): DnsChange {
  const base = { type: "TXT" as const, name, content };
  if (existing.length === 0) return { ...base, action: "create" };
  if (existing.length > 1) {
    return {
      ...base,
      action: "conflict",
      current: existing.map((r) => txtValue(r.content)).join(" | "),
      note: `${existing.length} records: keep one (${fix})`,
    };
  }
  const record = existing[0]!;
  const current = txtValue(record.content);
  if (same(record.content, content)) return { ...base, action: "keep", current, id: record.id };
  if (ours(record)) return { ...base, action: "update", current, id: record.id };
  if (satisfied(current))
    return { ...base, action: "keep", current, id: record.id, note: "not Facteur's, and sufficient" };
  return { ...base, action: "conflict", current, id: record.id, note: `not Facteur's, left alone: ${fix}` };
}

export function planDns(input: DnsInputs): DnsChange[] {
  const { domain, records } = input;
  const changes: DnsChange[] = [];
  const mx = at(records, domain, "MX");
  const routingMx = mx.filter((r) => EMAIL_ROUTING_MX.includes(r.content.replace(/\.$/, "").toLowerCase()));
  if (routingMx.length === 0) {
    changes.push({
      action: "email-routing-dns",
      type: "MX",
      name: domain,
      content: EMAIL_ROUTING_MX.join(", "),
      note: "Email Routing adds its MX records",
    });
  } else {
    changes.push({ action: "keep", type: "MX", name: domain, content: routingMx.map((r) => r.content).join(", ") });
  }
  for (const other of mx.filter((r) => !routingMx.includes(r))) {
    changes.push({
      action: "conflict",
      type: "MX",
      name: domain,
      content: other.content,
      current: other.content,
      id: other.id,
      note: "another MX receives part of the domain's mail: remove it so that all mail reaches Email Routing",
    });
  }

  const spf = spfFor(input.relayInclude);
  const needed = spf.match(/include:\S+/g)!;
  const spfRecords = at(records, domain, "TXT").filter((r) => /^v=spf1(\s|$)/i.test(txtValue(r.content)));
  changes.push(
    want(
      domain,
      spf,
      spfRecords,
      (c) => needed.every((n) => c.split(/\s+/).includes(n)),
      `add ${needed.join(" ")} to it`,
    ),
  );

  const dmarcName = `_dmarc.${domain}`;
  const dmarcRecords = at(records, dmarcName, "TXT").filter((r) => /^v=DMARC1/i.test(txtValue(r.content)));
  const rua = input.dmarcRua;
  changes.push(
    want(
      dmarcName,
      dmarcFor(rua),
      dmarcRecords,
      (c) => c.toLowerCase().includes(rua.toLowerCase()),
      `add ${rua} to its rua= tag`,
    ),
  );

  // MTA-STS (RFC 8461 section 3.1) and TLS-RPT (RFC 8460 section 3): one record each at its name.
  for (const record of input.reporting) {
    const version = record.content.split(";")[0]!;
    const existing = at(records, record.name, "TXT").filter((r) => txtValue(r.content).startsWith(version));
    changes.push(want(record.name, record.content, existing, () => false, `it should read ${record.content}`));
  }

  const active = input.keys.filter((k) => k.active);
  for (const key of active) {
    const name = `${key.selector}._domainkey.${domain}`;
    changes.push(
      want(name, dkimTxt(key), at(records, name, "TXT"), () => false, "it holds another key for this selector"),
    );
  }
  // DKIM records Facteur published for selectors it no longer has (key deleted or deactivated).
  const wanted = new Set(active.map((k) => `${k.selector}._domainkey.${domain}`.toLowerCase()));
  for (const record of records) {
    const name = record.name.toLowerCase();
    if (record.type === "TXT" && ours(record) && name.endsWith(`._domainkey.${domain}`) && !wanted.has(name)) {
      changes.push({
        action: "delete",
        type: "TXT",
        name: record.name,
        content: txtValue(record.content),
        id: record.id,
        note: "no active key for this selector",
      });
    }
  }
  return changes;
}
