/**
 * The `suppressions` table: addresses Facteur does not send to (manual entries, hard bounces,
 * complaints). Addresses are stored lower-cased: they match case-insensitively, since no real
 * mailbox differs from another by case only.
 */
import { type Page, type PageRequest, pageOf } from "./pagination";

export const SUPPRESSION_SOURCES = ["manual", "bounce", "complaint"] as const;
export type SuppressionSource = (typeof SUPPRESSION_SOURCES)[number];

export interface Suppression {
  address: string;
  reason: string | null;
  source: SuppressionSource;
  createdAt: number;
}

interface SuppressionRow {
  address: string;
  reason: string | null;
  source: SuppressionSource;
  created_at: number;
}

function rowToSuppression(row: SuppressionRow): Suppression {
  return { address: row.address, reason: row.reason, source: row.source, createdAt: row.created_at };
}

/** Suppressions by address; the page key is the address. */
export async function listSuppressions(
  db: D1Database,
  filter: PageRequest & { source?: SuppressionSource },
): Promise<Page<Suppression>> {
  const { results } = await db
    .prepare(
      `SELECT * FROM suppressions WHERE (?1 IS NULL OR address > ?1) AND (?2 IS NULL OR source = ?2)
       ORDER BY address LIMIT ?3`,
    )
    .bind(filter.after ?? null, filter.source ?? null, filter.limit + 1)
    .all<SuppressionRow>();
  return pageOf(results.map(rowToSuppression), filter.limit, (s) => s.address);
}

/** Inserts a suppression; null when the address was already suppressed (the row is left as it is). */
export async function insertSuppression(
  db: D1Database,
  entry: { address: string; reason: string | null; source: SuppressionSource },
  now = Date.now(),
): Promise<Suppression | null> {
  const row = await db
    .prepare(
      `INSERT INTO suppressions (address, reason, source, created_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (address) DO NOTHING RETURNING *`,
    )
    .bind(entry.address.toLowerCase(), entry.reason, entry.source, now)
    .first<SuppressionRow>();
  return row ? rowToSuppression(row) : null;
}

export async function findSuppression(db: D1Database, address: string): Promise<Suppression | null> {
  const row = await db
    .prepare("SELECT * FROM suppressions WHERE address = ?1")
    .bind(address.toLowerCase())
    .first<SuppressionRow>();
  return row ? rowToSuppression(row) : null;
}

/** The suppressed ones among `addresses`, lower-cased. */
export async function findSuppressedAddresses(db: D1Database, addresses: string[]): Promise<Set<string>> {
  const { results } = await db
    .prepare("SELECT address FROM suppressions WHERE address IN (SELECT lower(value) FROM json_each(?1))")
    .bind(JSON.stringify(addresses))
    .all<{ address: string }>();
  return new Set(results.map((r) => r.address));
}

export async function deleteSuppression(db: D1Database, address: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM suppressions WHERE address = ?1").bind(address.toLowerCase()).run();
  return (result.meta.changes ?? 0) > 0;
}
