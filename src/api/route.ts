/**
 * `apiRoute` wraps createRoute: each route states its access rule (access.ts), which becomes both
 * the guard middleware (run before validation) and the `x-facteur-access` extension in the
 * OpenAPI document, so the auth matrix test derives its expectations from the document itself.
 * Every route also documents the common problem responses.
 */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { type AccessRule, requireAccess } from "./access";
import { ProblemSchema } from "./problem";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

export const COMMON_PROBLEMS = {
  400: problem("Invalid input; `errors` names each bad field"),
  401: problem("Missing, unknown or revoked credentials"),
  403: problem("The credentials do not cover this route or domain"),
  404: problem("No such resource"),
  413: problem("Body too large"),
  415: problem("Unsupported content type"),
  429: problem("Too many failed authentications or messages; see Retry-After"),
} as const;

export function apiRoute<const R extends RouteConfig>(access: AccessRule, config: R): R {
  return createRoute({
    ...config,
    middleware: [requireAccess(access)],
    security: access === "user" ? [{ basicAuth: [] }, { bearerAuth: [] }] : [{ bearerAuth: [] }],
    "x-facteur-access": access,
    responses: { ...COMMON_PROBLEMS, ...config.responses },
  }) as R;
}

export function json<T>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
