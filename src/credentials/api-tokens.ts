/**
 * API tokens (DESIGN.md "API tokens: hashed, with scopes"). A token is shown once at creation;
 * only its SHA-256 is stored, so reading the database does not yield a usable token. Tokens are
 * 32 random bytes, so a plain (unsalted) hash is enough: there is no dictionary to attack.
 */
import { newId, randomToken } from "../core/ids";
import { toHex, utf8 } from "./encoding";

export type Scope = "admin" | "read" | `domain:${string}`;

/** Prefix that makes a leaked Facteur token recognisable to secret scanners. */
export const TOKEN_PREFIX = "fct_";
/** Writing last_used_at on every request would make each read a D1 write; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiToken {
  id: string;
  name: string;
  scopes: Scope[];
  userName: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

interface TokenRow {
  id: string;
  name: string;
  scopes: string;
  user_name: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

function toToken(row: TokenRow): ApiToken {
  let scopes: Scope[] = [];
  try {
    const parsed: unknown = JSON.parse(row.scopes);
    if (Array.isArray(parsed)) scopes = parsed.filter((s): s is Scope => typeof s === "string");
  } catch {
    scopes = [];
  }
  return {
    id: row.id,
    name: row.name,
    scopes,
    userName: row.user_name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function hashApiToken(token: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", utf8(token)));
}

export async function createApiToken(
  db: D1Database,
  input: { name: string; scopes: Scope[]; userName?: string | null },
  now = Date.now(),
): Promise<{ token: string; record: ApiToken }> {
  const token = TOKEN_PREFIX + randomToken(32);
  const id = newId(now);
  await db
    .prepare(
      "INSERT INTO api_tokens (id, name, token_hash, scopes, user_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(id, input.name, await hashApiToken(token), JSON.stringify(input.scopes), input.userName ?? null, now)
    .run();
  return {
    token,
    record: {
      id,
      name: input.name,
      scopes: input.scopes,
      userName: input.userName ?? null,
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
    },
  };
}

/** The token record for a presented token (revoked ones included: the caller decides), or null. */
export async function findApiToken(db: D1Database, token: string): Promise<ApiToken | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db
    .prepare("SELECT * FROM api_tokens WHERE token_hash = ?1")
    .bind(await hashApiToken(token))
    .first<TokenRow>();
  return row ? toToken(row) : null;
}

export async function touchApiToken(db: D1Database, token: ApiToken, now = Date.now()): Promise<void> {
  if (token.lastUsedAt !== null && now - token.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
  await db.prepare("UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2").bind(now, token.id).run();
}

export async function getApiToken(db: D1Database, id: string): Promise<ApiToken | null> {
  const row = await db.prepare("SELECT * FROM api_tokens WHERE id = ?1").bind(id).first<TokenRow>();
  return row ? toToken(row) : null;
}

/** Newest first; `before` is the last id of the previous page. */
export async function listApiTokens(db: D1Database, limit: number, before?: string): Promise<ApiToken[]> {
  const stmt = before
    ? db.prepare("SELECT * FROM api_tokens WHERE id < ?1 ORDER BY id DESC LIMIT ?2").bind(before, limit)
    : db.prepare("SELECT * FROM api_tokens ORDER BY id DESC LIMIT ?1").bind(limit);
  const { results } = await stmt.all<TokenRow>();
  return results.map(toToken);
}

/** Marks a token revoked (kept for the audit trail). Returns false when no such token exists. */
export async function revokeApiToken(db: D1Database, id: string, now = Date.now()): Promise<ApiToken | null> {
  const row = await db
    .prepare("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2 RETURNING *")
    .bind(now, id)
    .first<TokenRow>();
  return row ? toToken(row) : null;
}
