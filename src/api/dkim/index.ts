/** /api/v1/domains/{domain}/dkim: per-domain DKIM keys and the DNS records to publish. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { deleteDkimHandler, generateDkimHandler, getDkimHandler } from "./handlers";
import { deleteDkim, generateDkim, getDkim } from "./routes";

export const dkim = new OpenAPIHono<ApiEnv>()
  .openapi(generateDkim, generateDkimHandler)
  .openapi(getDkim, getDkimHandler)
  .openapi(deleteDkim, deleteDkimHandler);
