/**
 * The `destinations` table: addresses verified (or not) in the Cloudflare account, which
 * message.forward() may reach. Addresses are stored lower-cased and looked up lower-cased.
 */
import { type Page, type PageRequest, pageOf } from "./pagination";

export interface Destination {
  address: string;
  verified: boolean;
  createdAt: number;
}

interface DestinationRow {
  address: string;
  verified: number;
  created_at: number;
}

function rowToDestination(row: DestinationRow): Destination {
  return { address: row.address, verified: row.verified === 1, createdAt: row.created_at };
}

/** Records an address as verified (or not), so forward() may reach it. */
export function upsertDestination(db: D1Database, address: string, verified: boolean, now = Date.now()) {
  return db
    .prepare(
      `INSERT INTO destinations (address, verified, created_at) VALUES (?1, ?2, ?3)
       ON CONFLICT(address) DO UPDATE SET verified = excluded.verified`,
    )
    .bind(address.toLowerCase(), verified ? 1 : 0, now);
}

export async function findDestination(db: D1Database, address: string): Promise<Destination | null> {
  const row = await db
    .prepare("SELECT * FROM destinations WHERE address = ?1")
    .bind(address.toLowerCase())
    .first<DestinationRow>();
  return row ? rowToDestination(row) : null;
}

/** Destinations by address; the page key is the address. */
export async function listDestinations(
  db: D1Database,
  filter: PageRequest & { verified?: boolean },
): Promise<Page<Destination>> {
  const { results } = await db
    .prepare(
      `SELECT * FROM destinations WHERE (?1 IS NULL OR address > ?1) AND (?2 IS NULL OR verified = ?2)
       ORDER BY address LIMIT ?3`,
    )
    .bind(filter.after ?? null, filter.verified === undefined ? null : filter.verified ? 1 : 0, filter.limit + 1)
    .all<DestinationRow>();
  return pageOf(results.map(rowToDestination), filter.limit, (d) => d.address);
}

/** Sets the verified flag; null when there is no such destination. */
export async function updateDestination(
  db: D1Database,
  address: string,
  verified: boolean,
): Promise<Destination | null> {
  const row = await db
    .prepare("UPDATE destinations SET verified = ?2 WHERE address = ?1 RETURNING *")
    .bind(address.toLowerCase(), verified ? 1 : 0)
    .first<DestinationRow>();
  return row ? rowToDestination(row) : null;
}

export async function deleteDestination(db: D1Database, address: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM destinations WHERE address = ?1").bind(address.toLowerCase()).run();
  return (result.meta.changes ?? 0) > 0;
}
