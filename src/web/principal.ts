/**
 * A session's principal, resolved on every request from what the session names: the ADMIN_TOKEN,
 * an API token (its scopes now, so a revoked or changed token ends or narrows the session at once),
 * a user (their admin flag now), or a list member (no API Access: member pages only).
 */
import { ADMIN_TOKEN_ACCESS, tokenAccess, userAccess } from "../api/middleware/authenticate";
import { findApiTokenById } from "../store/api-tokens";
import type { WebSession } from "../store/sessions";
import { findUserCredentials } from "../store/users";
import type { Principal } from "./env";

export async function resolvePrincipal(env: Env, session: WebSession): Promise<Principal | null> {
  switch (session.kind) {
    case "admin-token":
      return { kind: "admin-token", label: "admin token", access: ADMIN_TOKEN_ACCESS, memberAddress: null };
    case "api-token": {
      const token = session.tokenId ? await findApiTokenById(env.DB, session.tokenId) : null;
      if (!token || token.revokedAt !== null) return null;
      return { kind: "api-token", label: `token ${token.name}`, access: tokenAccess(token), memberAddress: null };
    }
    case "user": {
      const user = session.userName ? await findUserCredentials(env.DB, session.userName) : null;
      if (!user) return null;
      return { kind: "user", label: user.name, access: userAccess(user), memberAddress: null };
    }
    case "member":
      if (!session.memberAddress) return null;
      return { kind: "member", label: session.memberAddress, access: null, memberAddress: session.memberAddress };
  }
}

/** An operator sees the operator pages: an admin or read principal, or a domain token. */
export function isOperator(principal: Principal | null): boolean {
  const access = principal?.access;
  return !!access && (access.admin || access.read || access.domains.size > 0);
}
