/** The `domains` table: the domains Facteur serves, their catch-all and relay override. */
import { readJsonList, writeJsonList } from "./json-column";
import { type Page, type PageRequest, pageOf } from "./pagination";
import { flag, updateStatement } from "./partial-update";

export interface Domain {
  name: string;
  enabled: boolean;
  catchAll: string[] | null;
  /** With credentials: never shown to a caller as is. */
  relayUrl: string | null;
  createdAt: number;
  updatedAt: number;
}

interface DomainRow {
  name: string;
  enabled: number;
  catch_all: string | null;
  relay_url: string | null;
  created_at: number;
  updated_at: number;
}

function rowToDomain(row: DomainRow): Domain {
  return {
    name: row.name,
    enabled: row.enabled === 1,
    catchAll: readJsonList(row.catch_all),
    relayUrl: row.relay_url,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewDomain {
  name: string;
  enabled?: boolean;
  catchAll?: string[] | null;
  relayUrl?: string | null;
}

export function insertDomain(db: D1Database, domain: NewDomain, now = Date.now()): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO domains (name, enabled, catch_all, relay_url, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)`,
    )
    .bind(
      domain.name,
      domain.enabled === false ? 0 : 1,
      domain.catchAll ? writeJsonList(domain.catchAll) : null,
      domain.relayUrl ?? null,
      now,
    );
}

export async function findDomainByName(db: D1Database, name: string): Promise<Domain | null> {
  const row = await db.prepare("SELECT * FROM domains WHERE name = ?1").bind(name).first<DomainRow>();
  return row ? rowToDomain(row) : null;
}

/** The domain's relay override (relay_url), or null when it has none or is not ours. */
export async function findDomainRelayUrl(db: D1Database, name: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT relay_url FROM domains WHERE name = ?1")
    .bind(name.toLowerCase())
    .first<{ relay_url: string | null }>();
  return row?.relay_url ?? null;
}

export interface DomainFilter extends PageRequest {
  /** Only these domains (a domain-scoped token); null or absent: every domain. */
  only?: string[] | null;
}

/** Domains by name; the page key is the name. */
export async function listDomains(db: D1Database, filter: DomainFilter): Promise<Page<Domain>> {
  const { results } = await db
    .prepare(
      `SELECT * FROM domains
       WHERE (?1 IS NULL OR name > ?1)
         AND (?2 IS NULL OR name IN (SELECT value FROM json_each(?2)))
       ORDER BY name LIMIT ?3`,
    )
    .bind(filter.after ?? null, filter.only ? JSON.stringify(filter.only) : null, filter.limit + 1)
    .all<DomainRow>();
  return pageOf(results.map(rowToDomain), filter.limit, (domain) => domain.name);
}

export interface DomainChanges {
  enabled?: boolean;
  catchAll?: string[] | null;
  relayUrl?: string | null;
}

/** Changes the given columns (null is a value here); null when there is no such domain. */
export async function updateDomain(
  db: D1Database,
  name: string,
  changes: DomainChanges,
  now = Date.now(),
): Promise<Domain | null> {
  const row = await updateStatement(
    db,
    "domains",
    {
      enabled: flag(changes.enabled),
      catch_all: changes.catchAll === undefined ? undefined : writeJsonList(changes.catchAll),
      relay_url: changes.relayUrl,
      updated_at: now,
    },
    { name },
    { returning: true },
  ).first<DomainRow>();
  return row ? rowToDomain(row) : null;
}

export async function deleteDomain(db: D1Database, name: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM domains WHERE name = ?1").bind(name).run();
  return (result.meta.changes ?? 0) > 0;
}
