/** Web sessions and members' sign-in links (migrations/0006_create_session_schema.sql). */

export type SessionKind = "admin-token" | "api-token" | "user" | "member";

export interface WebSession {
  idHash: string;
  kind: SessionKind;
  tokenId: string | null;
  userName: string | null;
  memberAddress: string | null;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

interface SessionRow {
  id_hash: string;
  kind: string;
  token_id: string | null;
  user_name: string | null;
  member_address: string | null;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

function rowToSession(row: SessionRow): WebSession {
  return {
    idHash: row.id_hash,
    kind: row.kind as SessionKind,
    tokenId: row.token_id,
    userName: row.user_name,
    memberAddress: row.member_address,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export async function insertSession(db: D1Database, session: Omit<WebSession, "revokedAt">): Promise<void> {
  await db
    .prepare(
      `INSERT INTO web_sessions (id_hash, kind, token_id, user_name, member_address, csrf_token, created_at, last_seen_at, expires_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
    )
    .bind(
      session.idHash,
      session.kind,
      session.tokenId,
      session.userName,
      session.memberAddress,
      session.csrfToken,
      session.createdAt,
      session.lastSeenAt,
      session.expiresAt,
    )
    .run();
}

export async function findSession(db: D1Database, idHash: string): Promise<WebSession | null> {
  const row = await db.prepare("SELECT * FROM web_sessions WHERE id_hash = ?1").bind(idHash).first<SessionRow>();
  return row ? rowToSession(row) : null;
}

export async function touchSession(db: D1Database, idHash: string, now: number): Promise<void> {
  await db.prepare("UPDATE web_sessions SET last_seen_at = ?2 WHERE id_hash = ?1").bind(idHash, now).run();
}

export async function revokeSession(db: D1Database, idHash: string, now: number): Promise<void> {
  await db
    .prepare("UPDATE web_sessions SET revoked_at = ?2 WHERE id_hash = ?1 AND revoked_at IS NULL")
    .bind(idHash, now)
    .run();
}

/** Revokes every session of one user (a password reset ends them all). */
export async function revokeUserSessions(db: D1Database, userName: string, now: number): Promise<number> {
  const result = await db
    .prepare("UPDATE web_sessions SET revoked_at = ?2 WHERE user_name = ?1 AND revoked_at IS NULL")
    .bind(userName, now)
    .run();
  return result.meta.changes ?? 0;
}

/**
 * Deletes the sessions that can never be used again (past their absolute expiry, idle since before
 * `idleBefore`, or revoked) and the sign-in links past their expiry (for a sweep).
 */
export function deleteExpiredSessions(db: D1Database, now: number, idleBefore: number = now): D1PreparedStatement[] {
  return [
    db
      .prepare("DELETE FROM web_sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2 OR revoked_at IS NOT NULL")
      .bind(now, idleBefore),
    db.prepare("DELETE FROM web_sign_in_links WHERE expires_at <= ?1").bind(now),
  ];
}

export async function insertSignInLink(
  db: D1Database,
  link: { tokenHash: string; address: string; createdAt: number; expiresAt: number },
): Promise<void> {
  await db
    .prepare("INSERT INTO web_sign_in_links (token_hash, address, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")
    .bind(link.tokenHash, link.address, link.createdAt, link.expiresAt)
    .run();
}

/**
 * Marks a link used and returns its address, in one statement, so two clicks racing each other
 * cannot both sign in; null for an unknown, used or expired link.
 */
export async function consumeSignInLink(db: D1Database, tokenHash: string, now: number): Promise<string | null> {
  const row = await db
    .prepare(
      `UPDATE web_sign_in_links SET used_at = ?2
       WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING address`,
    )
    .bind(tokenHash, now)
    .first<{ address: string }>();
  return row?.address ?? null;
}
