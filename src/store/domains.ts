/** Writing domains and verified destinations. */

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
      domain.catchAll ? JSON.stringify(domain.catchAll) : null,
      domain.relayUrl ?? null,
      now,
    );
}

/** Record an address as verified (or not) in the Cloudflare account, so forward() may reach it. */
export function upsertDestination(db: D1Database, address: string, verified: boolean, now = Date.now()) {
  return db
    .prepare(
      `INSERT INTO destinations (address, verified, created_at) VALUES (?1, ?2, ?3)
       ON CONFLICT(address) DO UPDATE SET verified = excluded.verified`,
    )
    .bind(address.toLowerCase(), verified ? 1 : 0, now);
}
