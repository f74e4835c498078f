import { z } from "@hono/zod-openapi";
import { normalizeDomain } from "../../mail/address";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Timestamp, text, UserName } from "../schemas";

/** "admin", "read" or "domain:<name>" (the domain normalised like every other). */
export const ScopeInput = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    if (value === "admin" || value === "read") return value;
    if (value.startsWith("domain:")) {
      const domain = normalizeDomain(value.slice("domain:".length));
      if (domain) return `domain:${domain}` as const;
    }
    ctx.addIssue({ code: "custom", message: 'a scope is "admin", "read" or "domain:<name>"' });
    return z.NEVER;
  })
  .openapi({ type: "string", example: "domain:example.com" });

export const Token = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    user: z.string().nullable().openapi({ description: "The user this token acts as for /send" }),
    created_at: Timestamp,
    last_used_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
  })
  .openapi("Token");

export const listTokens = apiRoute("admin", {
  method: "get",
  path: "/tokens",
  tags: ["tokens"],
  summary: "List API tokens (never their values)",
  request: { query: PageQuery },
  responses: { 200: json(pageSchema(Token, "TokenPage"), "A page of tokens, newest first") },
});

export const createToken = apiRoute("admin", {
  method: "post",
  path: "/tokens",
  tags: ["tokens"],
  summary: "Create a token; its value is shown in this response only",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            name: text(100).min(1),
            scopes: z.array(ScopeInput).max(50).default([]),
            user: UserName.nullable().default(null),
          }),
        },
      },
    },
  },
  responses: {
    201: json(
      Token.extend({ token: z.string().openapi({ description: "Shown once; stored as SHA-256" }) }).openapi("NewToken"),
      "Created",
    ),
    422: json(z.any(), "Unknown domain or user"),
  },
});

export const revokeToken = apiRoute("admin", {
  method: "delete",
  path: "/tokens/{id}",
  tags: ["tokens"],
  summary: "Revoke a token (kept, marked revoked)",
  request: {
    params: z.object({
      id: z
        .string()
        .regex(/^[0-9a-f]{28}$/, "not a token id")
        .openapi({ param: { name: "id", in: "path" } }),
    }),
  },
  responses: { 200: json(Token, "The revoked token") },
});
