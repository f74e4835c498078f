/**
 * The whole routing database in one consistent read (one D1 batch): domains, destinations,
 * users with their mailboxes, aliases. Password hashes come along; the caller decides whether
 * they leave.
 */
import { readJsonList } from "./json-column";

export interface DatabaseExport {
  domains: { name: string; enabled: boolean; catchAll: string[] | null; relayUrl: string | null }[];
  destinations: { address: string; verified: boolean }[];
  users: { name: string; isAdmin: boolean; passwordHash: string | null; mailboxes: string[] }[];
  aliases: {
    address: string;
    destinations: string[] | null;
    owner: string | null;
    enabled: boolean;
    description: string | null;
  }[];
}

export async function readDatabaseExport(db: D1Database): Promise<DatabaseExport> {
  const [domains, destinations, users, aliases] = await db.batch<Record<string, unknown>>([
    db.prepare("SELECT name, enabled, catch_all, relay_url FROM domains ORDER BY name"),
    db.prepare("SELECT address, verified FROM destinations ORDER BY address"),
    db.prepare(
      `SELECT u.name, u.is_admin, u.password_hash,
         (SELECT json_group_array(address) FROM (SELECT address FROM user_mailboxes WHERE user_name = u.name ORDER BY position)) AS mailboxes
       FROM users u ORDER BY u.name`,
    ),
    db.prepare("SELECT address, destinations, owner, enabled, description FROM aliases ORDER BY lookup"),
  ]);
  const rows = (r: D1Result<Record<string, unknown>> | undefined) => r?.results ?? [];
  return {
    domains: rows(domains).map((d) => ({
      name: d.name as string,
      enabled: d.enabled === 1,
      catchAll: readJsonList(d.catch_all as string | null),
      relayUrl: d.relay_url as string | null,
    })),
    destinations: rows(destinations).map((d) => ({ address: d.address as string, verified: d.verified === 1 })),
    users: rows(users).map((u) => ({
      name: u.name as string,
      isAdmin: u.is_admin === 1,
      passwordHash: u.password_hash as string | null,
      mailboxes: readJsonList(u.mailboxes as string | null) ?? [],
    })),
    aliases: rows(aliases).map((a) => ({
      address: a.address as string,
      destinations: readJsonList(a.destinations as string | null),
      owner: a.owner as string | null,
      enabled: a.enabled === 1,
      description: a.description as string | null,
    })),
  };
}
