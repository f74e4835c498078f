/**
 * Users and their mailboxes (the PTT/Elit users database: name, password, real addresses).
 * Mailboxes are written with one json_each statement, whatever their number (D1's 100 bound
 * parameters per query).
 */

export interface UserRow {
  name: string;
  password_hash: string | null;
  is_admin: number;
  created_at: number;
  updated_at: number;
  /** JSON array, in position order. */
  mailboxes: string;
  /** JSON array of owned alias addresses. */
  aliases: string;
}

const SELECT_USER = `SELECT u.*,
  (SELECT json_group_array(address) FROM (SELECT address FROM user_mailboxes WHERE user_name = u.name ORDER BY position)) AS mailboxes,
  (SELECT json_group_array(address) FROM (SELECT address FROM aliases WHERE owner = u.name ORDER BY lookup)) AS aliases
  FROM users u`;

export async function findUser(db: D1Database, name: string): Promise<UserRow | null> {
  return db.prepare(`${SELECT_USER} WHERE u.name = ?1`).bind(name).first<UserRow>();
}

export async function listUserRows(db: D1Database, options: { after?: string; limit: number }): Promise<UserRow[]> {
  const { results } = await db
    .prepare(`${SELECT_USER} WHERE (?1 IS NULL OR u.name > ?1) ORDER BY u.name LIMIT ?2`)
    .bind(options.after ?? null, options.limit)
    .all<UserRow>();
  return results;
}

function replaceMailboxes(db: D1Database, name: string, mailboxes: string[]): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM user_mailboxes WHERE user_name = ?1").bind(name),
    db
      .prepare(
        `INSERT OR IGNORE INTO user_mailboxes (user_name, address, position)
         SELECT ?1, value, key FROM json_each(?2)`,
      )
      .bind(name, JSON.stringify(mailboxes)),
  ];
}

export function insertUserStatements(
  db: D1Database,
  user: { name: string; passwordHash: string | null; isAdmin: boolean; mailboxes: string[] },
  now = Date.now(),
): D1PreparedStatement[] {
  return [
    db
      .prepare("INSERT INTO users (name, password_hash, is_admin, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)")
      .bind(user.name, user.passwordHash, user.isAdmin ? 1 : 0, now),
    ...replaceMailboxes(db, user.name, user.mailboxes),
  ];
}

export interface UserChanges {
  passwordHash?: string | null;
  isAdmin?: boolean;
  mailboxes?: string[];
}

export function updateUserStatements(
  db: D1Database,
  name: string,
  changes: UserChanges,
  now = Date.now(),
): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `UPDATE users SET
           password_hash = CASE WHEN ?2 THEN ?3 ELSE password_hash END,
           is_admin = CASE WHEN ?4 THEN ?5 ELSE is_admin END,
           updated_at = ?6
         WHERE name = ?1`,
      )
      .bind(
        name,
        changes.passwordHash !== undefined ? 1 : 0,
        changes.passwordHash ?? null,
        changes.isAdmin !== undefined ? 1 : 0,
        changes.isAdmin ? 1 : 0,
        now,
      ),
    ...(changes.mailboxes ? replaceMailboxes(db, name, changes.mailboxes) : []),
  ];
}

export async function deleteUserRow(db: D1Database, name: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM users WHERE name = ?1").bind(name).run();
  return (result.meta.changes ?? 0) > 0;
}
