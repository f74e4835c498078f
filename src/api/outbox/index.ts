/** /api/v1/outbox: the dev capture relay's messages (local development and tests). */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { listOutboxHandler } from "./handlers";
import { listOutboxRoute } from "./routes";

export const outbox = new OpenAPIHono<ApiEnv>().openapi(listOutboxRoute, listOutboxHandler);
