/**
 * Resolves the caller of every /api/v1 request: the bootstrap ADMIN_TOKEN, an API token, or a
 * user's HTTP Basic credentials (RFC 7617). Missing credentials get 401; wrong, unknown or revoked
 * ones get 401 and count against the client's failure budget (auth-throttle.ts), and a client over
 * budget gets 429 with Retry-After, even with correct credentials.
 */
import type { MiddlewareHandler } from "hono";
import { findApiToken, touchApiToken } from "../../credentials/api-tokens";
import {
  accountRetryAfter,
  authRetryAfter,
  recordAccountFailure,
  recordAuthFailure,
} from "../../credentials/auth-throttle";
import { secretsEqual } from "../../credentials/constant-time";
import { MAX_PASSWORD_LENGTH, verifyPassword } from "../../credentials/password";
import { accountThrottleKey, clientThrottleKey } from "../../credentials/throttle-keys";
import type { ApiToken } from "../../store/api-tokens";
import { findUserCredentials, type UserCredentials } from "../../store/users";
import type { Access } from "../access";
import type { ApiEnv } from "../env";
import { presetAccess } from "../in-process";
import { ApiProblem } from "../problem";

const CHALLENGE = 'Bearer realm="facteur", Basic realm="facteur", charset="UTF-8"';

/**
 * Checked against when the user does not exist, so a wrong name costs the same PBKDF2 time as a
 * wrong password and response timing does not reveal which user names exist.
 */
const DUMMY_HASH = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

function unauthenticated(detail: string): ApiProblem {
  return new ApiProblem(401, "unauthenticated", detail, { headers: { "WWW-Authenticate": CHALLENGE } });
}

function throttled(seconds: number): ApiProblem {
  return new ApiProblem(429, "rate-limited", `too many failed authentications; retry in ${seconds} s`, {
    headers: { "Retry-After": String(seconds) },
  });
}

/** The Access an API token grants (its scopes), whether presented as a bearer or held by a session. */
export function tokenAccess(record: ApiToken): Access {
  const domains = new Set(record.scopes.filter((s) => s.startsWith("domain:")).map((s) => s.slice("domain:".length)));
  return {
    kind: "api-token",
    tokenId: record.id,
    admin: record.scopes.includes("admin"),
    read: record.scopes.includes("read"),
    domains,
    userName: record.userName,
  };
}

export const ADMIN_TOKEN_ACCESS: Access = {
  kind: "admin-token",
  tokenId: null,
  admin: true,
  read: true,
  domains: new Set(),
  userName: null,
};

/** The Access a bearer token grants: ADMIN_TOKEN, or a live API token; null otherwise. */
export async function bearerAccess(env: Env, token: string): Promise<Access | null> {
  if (await secretsEqual(token, env.ADMIN_TOKEN ?? "")) return ADMIN_TOKEN_ACCESS;
  const record = await findApiToken(env.DB, token);
  if (!record || record.revokedAt !== null) return null;
  await touchApiToken(env.DB, record);
  return tokenAccess(record);
}

/** The Access a user has. DESIGN.md "users: ... admin flag": an admin user's password opens the whole API. */
export function userAccess(user: UserCredentials): Access {
  const admin = user.isAdmin;
  return { kind: "user", tokenId: null, admin, read: admin, domains: new Set(), userName: user.name };
}

/** A user's name and password checked (same PBKDF2 time for an unknown name); null when wrong. */
export async function passwordAccess(env: Env, name: string, password: string): Promise<Access | null> {
  if (password.length > MAX_PASSWORD_LENGTH) return null;
  const user = await findUserCredentials(env.DB, name);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) return null;
  return userAccess(user);
}

/** The user name and password of Basic credentials (RFC 7617 section 2), or null. */
export function basicCredentials(encoded: string): { name: string; password: string } | null {
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function basicAccess(env: Env, credentials: { name: string; password: string }): Promise<Access | null> {
  return passwordAccess(env, credentials.name, credentials.password);
}

export const authenticate: MiddlewareHandler<ApiEnv> = async (c, next) => {
  // The web interface's in-process calls (in-process.ts) arrive with the session's Access.
  const preset = presetAccess(c.req.raw);
  if (preset) {
    c.set("access", preset);
    return next();
  }
  const header = c.req.header("authorization")?.trim();
  if (!header) throw unauthenticated("send Authorization: Bearer <token> (or Basic for /api/v1/send)");
  // Cloudflare sets CF-Connecting-IP on every request that reaches a Worker.
  // Counted per /64 for IPv6 (throttle-keys.ts).
  const client = clientThrottleKey(c.req.header("cf-connecting-ip") ?? "unknown");
  const blocked = await authRetryAfter(c.env.DB, client);
  if (blocked !== null) throw throttled(blocked);

  const space = header.indexOf(" ");
  const scheme = space > 0 ? header.slice(0, space).toLowerCase() : "";
  const credentials = space > 0 ? header.slice(space + 1).trim() : "";
  let access: Access | null = null;
  const basic = scheme === "basic" && credentials ? basicCredentials(credentials) : null;
  const account = basic ? accountThrottleKey(basic.name) : null;
  if (account) {
    const accountBlocked = await accountRetryAfter(c.env.DB, account);
    if (accountBlocked !== null) throw throttled(accountBlocked);
  }
  if (scheme === "bearer" && credentials) access = await bearerAccess(c.env, credentials);
  else if (basic) access = await basicAccess(c.env, basic);

  if (!access) {
    const wait = await recordAuthFailure(c.env.DB, client);
    const accountWait = account ? await recordAccountFailure(c.env.DB, account) : null;
    if (wait !== null || accountWait !== null) throw throttled(Math.max(wait ?? 0, accountWait ?? 0));
    throw unauthenticated("the credentials are unknown, revoked or malformed");
  }
  c.set("access", access);
  await next();
};
