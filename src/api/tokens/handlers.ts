import type { RouteHandler } from "@hono/zod-openapi";
import { createApiToken } from "../../credentials/api-tokens";
import { type ApiToken, listApiTokens, revokeApiToken } from "../../store/api-tokens";
import { findDomainByName } from "../../store/domains";
import { userExists } from "../../store/users";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { ApiProblem, notFound } from "../problem";
import { iso, isoRequired } from "../schemas";
import type { createToken, listTokens, revokeToken } from "./routes";

export function tokenBody(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    user: token.userName,
    created_at: isoRequired(token.createdAt),
    last_used_at: iso(token.lastUsedAt),
    revoked_at: iso(token.revokedAt),
  };
}

function unprocessable(field: string, detail: string): ApiProblem {
  return new ApiProblem(422, "unprocessable", `${field}: ${detail}`, { errors: [{ field, detail, in: "json" }] });
}

export const listTokensHandler: RouteHandler<typeof listTokens, ApiEnv> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const page = await listApiTokens(c.env.DB, { after: decodeCursor(cursor), limit });
  return c.json(pageBody(page, tokenBody), 200);
};

export const createTokenHandler: RouteHandler<typeof createToken, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  if (body.scopes.length === 0 && body.user === null) {
    throw unprocessable("scopes", "a token needs at least one scope, or a user to act as");
  }
  for (const [i, scope] of body.scopes.entries()) {
    const domain = scope.startsWith("domain:") ? scope.slice("domain:".length) : null;
    if (domain && !(await findDomainByName(c.env.DB, domain)))
      throw unprocessable(`scopes.${i}`, `no domain ${domain}`);
  }
  if (body.user !== null && !(await userExists(c.env.DB, body.user)))
    throw unprocessable("user", `no user ${body.user}`);
  const { token, record } = await createApiToken(c.env.DB, {
    name: body.name,
    scopes: [...new Set(body.scopes)],
    userName: body.user,
  });
  return c.json({ ...tokenBody(record), token }, 201);
};

export const revokeTokenHandler: RouteHandler<typeof revokeToken, ApiEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const token = await revokeApiToken(c.env.DB, id);
  if (!token) throw notFound(`token ${id}`);
  return c.json(tokenBody(token), 200);
};
