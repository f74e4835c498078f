/**
 * The `api_tokens` table. Only a token's SHA-256 is stored (credentials/api-tokens.ts makes and
 * hashes tokens); revoked tokens are kept for the audit trail.
 */
import { readJsonList } from "./json-column";
import { type Page, type PageRequest, pageOf } from "./pagination";

export type Scope = "admin" | "read" | `domain:${string}`;

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

function rowToToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    scopes: (readJsonList(row.scopes) ?? []) as Scope[],
    userName: row.user_name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export interface NewApiToken {
  id: string;
  name: string;
  tokenHash: string;
  scopes: Scope[];
  userName: string | null;
  createdAt: number;
}

export async function insertApiToken(db: D1Database, token: NewApiToken): Promise<void> {
  await db
    .prepare(
      "INSERT INTO api_tokens (id, name, token_hash, scopes, user_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(token.id, token.name, token.tokenHash, JSON.stringify(token.scopes), token.userName, token.createdAt)
    .run();
}

export async function findApiTokenByHash(db: D1Database, tokenHash: string): Promise<ApiToken | null> {
  const row = await db.prepare("SELECT * FROM api_tokens WHERE token_hash = ?1").bind(tokenHash).first<TokenRow>();
  return row ? rowToToken(row) : null;
}

export async function findApiTokenById(db: D1Database, id: string): Promise<ApiToken | null> {
  const row = await db.prepare("SELECT * FROM api_tokens WHERE id = ?1").bind(id).first<TokenRow>();
  return row ? rowToToken(row) : null;
}

export async function updateApiTokenLastUsed(db: D1Database, id: string, now: number): Promise<void> {
  await db.prepare("UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2").bind(now, id).run();
}

/** Newest first (ids sort by creation); the page key is the id. */
export async function listApiTokens(db: D1Database, request: PageRequest): Promise<Page<ApiToken>> {
  const stmt = request.after
    ? db
        .prepare("SELECT * FROM api_tokens WHERE id < ?1 ORDER BY id DESC LIMIT ?2")
        .bind(request.after, request.limit + 1)
    : db.prepare("SELECT * FROM api_tokens ORDER BY id DESC LIMIT ?1").bind(request.limit + 1);
  const { results } = await stmt.all<TokenRow>();
  return pageOf(results.map(rowToToken), request.limit, (token) => token.id);
}

/** Marks a token revoked (kept for the audit trail); null when there is no such token. */
export async function revokeApiToken(db: D1Database, id: string, now = Date.now()): Promise<ApiToken | null> {
  const row = await db
    .prepare("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2 RETURNING *")
    .bind(now, id)
    .first<TokenRow>();
  return row ? rowToToken(row) : null;
}
