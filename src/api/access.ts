/**
 * Who may do what. Every route declares one access rule; the guard runs before input validation,
 * so an unauthorised caller learns nothing from validation errors.
 *
 *   admin   account-wide resources (users, tokens, destinations, suppressions, import/export):
 *           admin tokens; `read` tokens may GET.
 *   domain  resources that belong to one domain (domains, DKIM, aliases, logs): admin; `read` for
 *           GET; a `domain:<name>` token for its own domain only (lists are filtered to it).
 *   user    acting as a user (POST /send): HTTP Basic, or a token created for a user.
 */
import type { Context, MiddlewareHandler } from "hono";
import { normalizeDomain, parseAddress } from "../mail/address";
import type { ApiEnv } from "./env";
import { ApiProblem } from "./problem";

export type AccessRule = "admin" | "domain" | "user";

export interface Access {
  kind: "admin-token" | "api-token" | "user";
  tokenId: string | null;
  admin: boolean;
  read: boolean;
  /** Domains a `domain:<name>` scope grants. */
  domains: ReadonlySet<string>;
  /** The user this caller acts as (Basic auth, or a user token). */
  userName: string | null;
}

const READ_METHODS = new Set(["GET", "HEAD"]);

export function isReadMethod(method: string): boolean {
  return READ_METHODS.has(method.toUpperCase());
}

export function forbidden(detail: string): ApiProblem {
  return new ApiProblem(403, "forbidden", detail);
}

/** The domain a route's path names ({domain}, or the domain of {address}); undefined if none. */
function pathDomain(c: Context<ApiEnv>): string | null | undefined {
  const domain = c.req.param("domain");
  if (domain !== undefined) return normalizeDomain(safeDecode(domain));
  const address = c.req.param("address");
  if (address !== undefined) return parseAddress(safeDecode(address))?.domain ?? null;
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function allows(rule: AccessRule, access: Access, read: boolean, domain: string | null | undefined): boolean {
  if (rule === "user") return access.userName !== null;
  if (access.admin) return true;
  if (read && access.read) return true;
  if (rule === "admin" || access.domains.size === 0) return false;
  // A domain route: the path's domain must be one of the token's; list routes filter instead.
  if (domain === undefined) return true;
  return domain !== null && access.domains.has(domain);
}

export function requireAccess(rule: AccessRule): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const access = c.get("access");
    if (!allows(rule, access, isReadMethod(c.req.method), pathDomain(c))) {
      throw forbidden(
        rule === "user"
          ? "this route acts as a user: authenticate with HTTP Basic (name:password) or a token created for a user"
          : "this token's scopes do not cover this route",
      );
    }
    await next();
  };
}

/** Domains the caller may see in lists: null = all. */
export function visibleDomains(access: Access): string[] | null {
  if (access.admin || access.read) return null;
  return [...access.domains];
}

export function assertDomainRead(access: Access, domain: string): void {
  const visible = visibleDomains(access);
  if (visible && !visible.includes(domain)) throw forbidden(`this token cannot see domain ${domain}`);
}

export function assertDomainWrite(access: Access, domain: string): void {
  if (access.admin) return;
  if (!access.domains.has(domain)) throw forbidden(`this token cannot change domain ${domain}`);
}
