/**
 * Web sessions (store/sessions.ts): a random id in an HttpOnly, SameSite=Strict cookie (Secure and
 * `__Host-` prefixed over HTTPS), of which D1 keeps only the SHA-256. A session ends when idle for
 * SESSION_IDLE_MS, SESSION_ABSOLUTE_MS after sign-in, at logout, or when revoked; a session of an
 * API token ends with the token, and a user's with the user.
 *
 * CSRF: every POST carries `_csrf`, compared with the session's token, or before sign-in with a
 * random pre-session cookie (double submit), so even the sign-in forms cannot be posted cross-site.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { randomToken } from "../core/ids";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "../core/web-session";
import { secretsEqual } from "../credentials/constant-time";
import { toHex, utf8 } from "../credentials/encoding";
import {
  findSession,
  insertSession,
  revokeSession,
  type SessionKind,
  touchSession,
  type WebSession,
} from "../store/sessions";
import type { WebEnv } from "./env";
import { resolvePrincipal } from "./principal";

export { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS };

/** last_seen_at is written at most once a minute: a page view should not always be a D1 write. */
const TOUCH_RESOLUTION_MS = 60_000;

const isHttps = (c: Context) => new URL(c.req.url).protocol === "https:";
const sessionCookie = (c: Context) => (isHttps(c) ? "__Host-facteur-session" : "facteur-session");
const csrfCookie = (c: Context) => (isHttps(c) ? "__Host-facteur-csrf" : "facteur-csrf");

function cookieOptions(c: Context) {
  return { httpOnly: true, secure: isHttps(c), sameSite: "Strict" as const, path: "/" };
}

export async function hashSessionId(id: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", utf8(id)));
}

/** Whether a stored session is still alive at `now` (not revoked, neither idle nor too old). */
export function sessionAlive(session: WebSession, now: number): boolean {
  return session.revokedAt === null && now < session.expiresAt && now - session.lastSeenAt < SESSION_IDLE_MS;
}

export async function startSession(
  c: Context<WebEnv>,
  who: { kind: SessionKind; tokenId?: string | null; userName?: string | null; memberAddress?: string | null },
  now = Date.now(),
): Promise<void> {
  const id = randomToken(32);
  await insertSession(c.env.DB, {
    idHash: await hashSessionId(id),
    kind: who.kind,
    tokenId: who.tokenId ?? null,
    userName: who.userName ?? null,
    memberAddress: who.memberAddress ?? null,
    csrfToken: randomToken(24),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + SESSION_ABSOLUTE_MS,
  });
  setCookie(c, sessionCookie(c), id, { ...cookieOptions(c), maxAge: SESSION_ABSOLUTE_MS / 1000 });
}

export async function endSession(c: Context<WebEnv>): Promise<void> {
  const session = c.get("session");
  if (session) await revokeSession(c.env.DB, session.idHash, Date.now());
  deleteCookie(c, sessionCookie(c), cookieOptions(c));
}

/** Loads the session and its principal (or none), and the CSRF token the page's forms carry. */
export const loadSession: MiddlewareHandler<WebEnv> = async (c, next) => {
  const now = Date.now();
  c.set("session", null);
  c.set("principal", null);
  const id = getCookie(c, sessionCookie(c));
  if (id) {
    const session = await findSession(c.env.DB, await hashSessionId(id));
    const principal = session && sessionAlive(session, now) ? await resolvePrincipal(c.env, session) : null;
    if (session && principal) {
      if (now - session.lastSeenAt >= TOUCH_RESOLUTION_MS) await touchSession(c.env.DB, session.idHash, now);
      c.set("session", session);
      c.set("principal", principal);
    } else {
      deleteCookie(c, sessionCookie(c), cookieOptions(c));
    }
  }
  const session = c.get("session");
  if (session) {
    c.set("csrf", session.csrfToken);
  } else {
    let pre = getCookie(c, csrfCookie(c));
    if (!pre || pre.length < 16) {
      pre = randomToken(24);
      setCookie(c, csrfCookie(c), pre, cookieOptions(c));
    }
    c.set("csrf", pre);
  }
  await next();
};

/** Whether a POSTed form carries the CSRF token of this session (or pre-session cookie). */
export async function csrfValid(c: Context<WebEnv>): Promise<boolean> {
  // `all: true` everywhere: Hono caches the first parse, and bulk forms repeat their checkboxes.
  const form = await c.req.parseBody({ all: true });
  const sent = typeof form._csrf === "string" ? form._csrf : "";
  const expected = c.get("csrf");
  return sent.length > 0 && (await secretsEqual(sent, expected));
}
