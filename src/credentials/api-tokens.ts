/**
 * API tokens (DESIGN.md "API tokens: hashed, with scopes"). A token is shown once at creation;
 * only its SHA-256 is stored, so reading the database does not yield a usable token. Tokens are
 * 32 random bytes, so a plain (unsalted) hash is enough: there is no dictionary to attack.
 */
import { newId, randomToken } from "../core/ids";
import {
  type ApiToken,
  findApiTokenByHash,
  insertApiToken,
  type Scope,
  updateApiTokenLastUsed,
} from "../store/api-tokens";
import { toHex, utf8 } from "./encoding";

/** Prefix that makes a leaked Facteur token recognisable to secret scanners. */
export const TOKEN_PREFIX = "fct_";
/** Writing last_used_at on every request would make each read a D1 write; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

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
  await insertApiToken(db, {
    id,
    name: input.name,
    tokenHash: await hashApiToken(token),
    scopes: input.scopes,
    userName: input.userName ?? null,
    createdAt: now,
  });
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
  return findApiTokenByHash(db, await hashApiToken(token));
}

export async function touchApiToken(db: D1Database, token: ApiToken, now = Date.now()): Promise<void> {
  if (token.lastUsedAt !== null && now - token.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
  await updateApiTokenLastUsed(db, token.id, now);
}
