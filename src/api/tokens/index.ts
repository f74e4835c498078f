/** /api/v1/tokens: scoped API tokens, shown once, stored hashed, revocable. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { createTokenHandler, listTokensHandler, revokeTokenHandler } from "./handlers";
import { createToken, listTokens, revokeToken } from "./routes";

export const tokens = new OpenAPIHono<ApiEnv>()
  .openapi(listTokens, listTokensHandler)
  .openapi(createToken, createTokenHandler)
  .openapi(revokeToken, revokeTokenHandler);
