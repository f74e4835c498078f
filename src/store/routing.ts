/**
 * The one D1 query routing needs per recipient: the domain row, every alias that could match
 * (exact, subaddress base, wildcard patterns), and the account's verified destinations.
 * Folding them into one statement keeps an inbound alias message at two queries (this and the
 * log insert), which matters on the Free plan's 10 ms CPU budget.
 */
import { lookupKey, splitSubaddress } from "../mail/address";
import { listLocalPart } from "../mail/minted-address";
import { readJsonList } from "./json-column";

export interface AliasCandidate {
  address: string;
  lookup: string;
  isPattern: boolean;
  literalLength: number;
  enabled: boolean;
  destinations: string[];
}

export interface RoutingFacts {
  domain: { name: string; enabled: boolean; catchAll: string[] | null } | null;
  candidates: AliasCandidate[];
  /** Lower-cased addresses verified in the Cloudflare account (message.forward() reaches only these). */
  verified: ReadonlySet<string>;
  /** Domains Facteur serves: a destination on one of them is resolved again, not delivered. */
  localDomains: ReadonlySet<string>;
  /** The lookup keys the query used: the full local part and its subaddress base. */
  fullKey: string;
  baseKey: string;
  tag: string | null;
  /**
   * The mailing list this address belongs to, when it is one of a list's addresses (team@,
   * team-request@, team-owner@, team-bounces+…@, team-confirm+…@): see route/rules/list-address.ts.
   */
  list: ListFacts | null;
  /** The local parts that receive the domain's DMARC and TLS reports (per-domain settings). */
  reportLocals: { dmarc: string; tls: string } | null;
  /** Options of each candidate alias, by lookup key (migrations/0016). */
  aliasOptions?: ReadonlyMap<string, AliasRoutingOptions>;
  /** When the recipient is a reverse address: its contact, alias and the alias owner's mailboxes. */
  reverse?: ReverseFacts | null;
  /** The sender's contacts on this domain, by alias lookup key (blocking, reverse addresses). */
  senderContacts?: ReadonlyMap<string, { id: string; blocked: boolean }>;
}

export interface AliasRoutingOptions {
  /** Reverse aliases on: the alias's own setting, else the domain's default. */
  reverse: boolean;
  expired: boolean;
  disabledAction: "reject" | "discard";
  disabledReply: string | null;
  blockedAction: "reject" | "discard";
}

export interface ReverseFacts {
  contactId: string;
  /** The external correspondent, lower-cased. */
  correspondent: string;
  blocked: boolean;
  /** The alias as stored (its case), and its lookup key. */
  alias: string;
  aliasLookup: string;
  /** The alias owner's mailboxes (users database); empty when the alias has no owner. */
  ownerMailboxes: string[];
}

/** What routing knows about the message beyond its recipient. */
export interface RoutingQueryInput {
  /** The header From author, for the sender's contacts; absent: none are read. */
  sender?: string;
  /** ms epoch for alias expiry. */
  now?: number;
}

/** A list matched by the routing query: enough to recognise its addresses (settings are read later). */
export interface ListFacts {
  address: string;
  lookup: string;
  enabled: boolean;
}

interface Row {
  kind: "domain" | "alias" | "verified" | "local" | "list";
  name: string | null;
  enabled: number | null;
  catch_all: string | null;
  address: string | null;
  lookup: string | null;
  is_pattern: number | null;
  literal_length: number | null;
  destinations: string | null;
  /** JSON (migrations/0016): the domain row's reverse-address contact and sender contacts; an alias's options. */
  extra: string | null;
}

// Four row kinds in one result: 'domain' (0 or 1; its address and lookup columns carry the local
// parts of the domain's DMARC and TLS report addresses), 'alias' (candidates), 'verified' (one row
// holding a JSON array; the account has at most 200 verified destinations) and 'local' (the
// domains Facteur serves, so nested aliases are recognised without another query), plus 'list'
// (the mailing list owning this address, ?4 being the address with a list suffix removed), so
// list addresses are recognised in the same statement. The `extra` column (migrations/0016) carries
// JSON folded into existing rows, because D1 allows at most five terms in a compound SELECT: on
// 'domain', the contact whose reverse address is the recipient (?7) and the sender's contacts (?6);
// on 'alias', the alias's options (expired against ?5, the time).
const ROUTING_QUERY = `
SELECT 'domain' AS kind, name, enabled, catch_all, dmarc_report_local AS address, tls_report_local AS lookup,
       NULL AS is_pattern,
       NULL AS literal_length, NULL AS destinations,
       json_object(
         'contact', json((SELECT json_object('id', c.id, 'blocked', c.blocked, 'address', c.address, 'alias', c.alias,
                       'aliasAddress', a.address,
                       'mailboxes', (SELECT json_group_array(m.address) FROM user_mailboxes m WHERE m.user_name = a.owner))
                       FROM contacts c LEFT JOIN aliases a ON a.lookup = c.alias
                      WHERE c.domain = ?1 AND c.reverse_local = ?7)),
         'senders', json((SELECT json_group_array(json_object('id', c.id, 'alias', c.alias, 'blocked', c.blocked))
                       FROM contacts c WHERE c.domain = ?1 AND c.address = ?6))) AS extra
  FROM domains WHERE name = ?1
UNION ALL
SELECT 'alias', NULL, a.enabled, NULL, a.address, a.lookup, a.is_pattern, a.literal_length,
       COALESCE(a.destinations,
         (SELECT json_group_array(m.address) FROM user_mailboxes m WHERE m.user_name = a.owner ORDER BY m.position)),
       json_object('reverse', COALESCE(a.reverse_aliases, d.reverse_aliases_default, 0),
                   'expired', a.expires_at IS NOT NULL AND a.expires_at <= ?5,
                   'disabledAction', a.disabled_action, 'disabledReply', a.disabled_reply,
                   'blockedAction', a.blocked_action)
  FROM aliases a JOIN domains d ON d.name = a.domain
 WHERE a.domain = ?1 AND (a.lookup IN (?2, ?3) OR (a.is_pattern = 1 AND (?2 GLOB a.glob OR ?3 GLOB a.glob)))
UNION ALL
SELECT 'verified', NULL, NULL, NULL, NULL, NULL, NULL, NULL, json_group_array(address), NULL
  FROM destinations WHERE verified = 1
UNION ALL
SELECT 'local', NULL, NULL, NULL, NULL, NULL, NULL, NULL, json_group_array(name), NULL FROM domains
UNION ALL
SELECT 'list', NULL, l.enabled, NULL, l.address, l.lookup, NULL, NULL, NULL, NULL
  FROM lists l WHERE l.lookup IN (?3, ?4)`;

function parseList(json: string | null): string[] {
  return readJsonList(json) ?? [];
}

export async function findRoutingFacts(
  db: D1Database,
  local: string,
  domain: string,
  input: RoutingQueryInput = {},
): Promise<RoutingFacts> {
  const { base, tag } = splitSubaddress(local);
  const fullKey = lookupKey(`${local}@${domain}`);
  const baseKey = lookupKey(`${base}@${domain}`);
  const listKey = lookupKey(`${listLocalPart(base)}@${domain}`);
  const { results } = await db
    .prepare(ROUTING_QUERY)
    .bind(
      domain,
      fullKey,
      baseKey,
      listKey,
      input.now ?? Date.now(),
      input.sender?.toLowerCase() ?? null,
      local.toLowerCase(),
    )
    .all<Row>();
  const facts: RoutingFacts = {
    domain: null,
    candidates: [],
    verified: new Set(),
    localDomains: new Set(),
    fullKey,
    baseKey,
    tag,
    list: null,
    reportLocals: null,
    aliasOptions: new Map(),
    reverse: null,
    senderContacts: new Map(),
  };
  const aliasOptions = new Map<string, AliasRoutingOptions>();
  const senderContacts = new Map<string, { id: string; blocked: boolean }>();
  for (const row of results) {
    if (row.kind === "domain" && row.name) {
      const catchAll = readJsonList(row.catch_all);
      facts.domain = { name: row.name, enabled: row.enabled === 1, catchAll };
      if (row.address && row.lookup) facts.reportLocals = { dmarc: row.address, tls: row.lookup };
    } else if (row.kind === "alias" && row.address && row.lookup) {
      facts.candidates.push({
        address: row.address,
        lookup: row.lookup,
        isPattern: row.is_pattern === 1,
        literalLength: row.literal_length ?? 0,
        enabled: row.enabled === 1,
        destinations: parseList(row.destinations),
      });
    } else if (row.kind === "verified") {
      facts.verified = new Set(parseList(row.destinations).map((a) => a.toLowerCase()));
    } else if (row.kind === "local") {
      facts.localDomains = new Set(parseList(row.destinations));
    } else if (row.kind === "list" && row.address && row.lookup) {
      facts.list = { address: row.address, lookup: row.lookup, enabled: row.enabled === 1 };
    }
    readReverseRow(row, facts, aliasOptions, senderContacts);
  }
  facts.aliasOptions = aliasOptions;
  facts.senderContacts = senderContacts;
  return facts;
}

/** The JSON of migrations/0016: an alias's options; the domain's reverse-address contact and sender contacts. */
function readReverseRow(
  row: Row,
  facts: RoutingFacts,
  aliasOptions: Map<string, AliasRoutingOptions>,
  senderContacts: Map<string, { id: string; blocked: boolean }>,
): void {
  if (!row.extra) return;
  const o = JSON.parse(row.extra) as Record<string, unknown>;
  if (row.kind === "alias" && row.lookup) {
    aliasOptions.set(row.lookup, {
      // Reverse aliases need one alias address to reply from: never for a wildcard pattern.
      reverse: o.reverse === 1 && row.is_pattern !== 1,
      expired: o.expired === 1,
      disabledAction: o.disabledAction === "discard" ? "discard" : "reject",
      disabledReply: typeof o.disabledReply === "string" ? o.disabledReply : null,
      blockedAction: o.blockedAction === "discard" ? "discard" : "reject",
    });
    return;
  }
  if (row.kind !== "domain") return;
  const contact = o.contact as Record<string, unknown> | null;
  if (contact && typeof contact.id === "string" && typeof contact.address === "string") {
    const alias = typeof contact.alias === "string" ? contact.alias : "";
    const mailboxes = Array.isArray(contact.mailboxes) ? contact.mailboxes : [];
    facts.reverse = {
      contactId: contact.id,
      correspondent: contact.address,
      blocked: contact.blocked === 1,
      alias: typeof contact.aliasAddress === "string" ? contact.aliasAddress : alias,
      aliasLookup: alias,
      ownerMailboxes: mailboxes.filter((m): m is string => typeof m === "string"),
    };
  }
  for (const sender of Array.isArray(o.senders) ? (o.senders as Record<string, unknown>[]) : []) {
    if (typeof sender.id === "string" && typeof sender.alias === "string") {
      senderContacts.set(sender.alias, { id: sender.id, blocked: sender.blocked === 1 });
    }
  }
}

/** SQLite GLOB for an alias pattern: '*' stays a wildcard, '?' and '[' match themselves. */
export function aliasGlob(lookup: string): string {
  return lookup.replace(/[[?]/g, (c) => `[${c}]`);
}
