/** What Cloudflare sync reads from D1: domains with their relay, served addresses, destinations. */

export interface SyncDomain {
  name: string;
  relayUrl: string | null;
}

export async function findSyncDomain(db: D1Database, name: string): Promise<SyncDomain | null> {
  const row = await db
    .prepare("SELECT name, relay_url FROM domains WHERE name = ?1")
    .bind(name.toLowerCase())
    .first<{ name: string; relay_url: string | null }>();
  return row ? { name: row.name, relayUrl: row.relay_url } : null;
}

export async function listSyncDomains(db: D1Database): Promise<SyncDomain[]> {
  const { results } = await db
    .prepare("SELECT name, relay_url FROM domains WHERE enabled = 1 ORDER BY name")
    .all<{ name: string; relay_url: string | null }>();
  return results.map((r) => ({ name: r.name, relayUrl: r.relay_url }));
}

/** Literal alias and list addresses of a domain: the ones an Email Routing rule could take first. */
export async function listServedAddresses(db: D1Database, domain: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT address FROM aliases WHERE domain = ?1 AND is_pattern = 0
       UNION SELECT address FROM lists WHERE domain = ?1 ORDER BY address`,
    )
    .bind(domain)
    .all<{ address: string }>();
  return results.map((r) => r.address);
}

export async function listDestinationStates(db: D1Database): Promise<{ address: string; verified: boolean }[]> {
  const { results } = await db
    .prepare("SELECT address, verified FROM destinations ORDER BY address")
    .all<{ address: string; verified: number }>();
  return results.map((r) => ({ address: r.address, verified: r.verified === 1 }));
}
