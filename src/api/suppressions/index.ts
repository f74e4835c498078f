/** /api/v1/suppressions: addresses that must not receive mail from Facteur (bounces, complaints, by hand). */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { createSuppressionHandler, deleteSuppressionHandler, listSuppressionsHandler } from "./handlers";
import { createSuppression, deleteSuppression, listSuppressions } from "./routes";

export const suppressions = new OpenAPIHono<ApiEnv>()
  .openapi(listSuppressions, listSuppressionsHandler)
  .openapi(createSuppression, createSuppressionHandler)
  .openapi(deleteSuppression, deleteSuppressionHandler);
