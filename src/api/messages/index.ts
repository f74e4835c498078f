/** /api/v1/messages: the inbound message log (a domain token sees its domains' entries). */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { getLoggedMessageHandler, listLoggedMessagesHandler } from "./handlers";
import { getLoggedMessage, listLoggedMessages } from "./routes";

export const messages = new OpenAPIHono<ApiEnv>()
  .openapi(listLoggedMessages, listLoggedMessagesHandler)
  .openapi(getLoggedMessage, getLoggedMessageHandler);
