/** The `list_confirmations` table: double opt-in tokens (subscribe and unsubscribe). */

export type ConfirmAction = "subscribe" | "unsubscribe";

export interface Confirmation {
  token: string;
  listAddress: string;
  action: ConfirmAction;
  address: string;
  createdAt: number;
  expiresAt: number;
}

export function insertConfirmation(db: D1Database, c: Confirmation): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO list_confirmations (token, list_address, action, address, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .bind(c.token, c.listAddress, c.action, c.address, c.createdAt, c.expiresAt);
}

/** Reads and deletes a token in one statement: a token confirms once. Null when unknown or expired. */
export async function takeConfirmation(db: D1Database, token: string, now: number): Promise<Confirmation | null> {
  const row = await db.prepare("DELETE FROM list_confirmations WHERE token = ? RETURNING *").bind(token).first<{
    token: string;
    list_address: string;
    action: string;
    address: string;
    created_at: number;
    expires_at: number;
  }>();
  if (!row || row.expires_at <= now) return null;
  return {
    token: row.token,
    listAddress: row.list_address,
    action: row.action as ConfirmAction,
    address: row.address,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function deleteExpiredConfirmations(db: D1Database, now: number): D1PreparedStatement {
  return db.prepare("DELETE FROM list_confirmations WHERE expires_at <= ?").bind(now);
}

/** A confirmation for the same list, address and action created since `since` (ms epoch), if any. */
export async function findRecentConfirmation(
  db: D1Database,
  listAddress: string,
  address: string,
  action: ConfirmAction,
  since: number,
): Promise<boolean> {
  const row = await db
    .prepare(
      "SELECT 1 AS found FROM list_confirmations WHERE list_address = ? AND lower(address) = lower(?) AND action = ? AND created_at > ? LIMIT 1",
    )
    .bind(listAddress, address, action, since)
    .first<{ found: number }>();
  return row !== null;
}
