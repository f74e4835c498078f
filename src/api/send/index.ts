/** /api/v1/send: authenticated submission as one of your own addresses. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { sendMessageHandler } from "./handlers";
import { sendMessage } from "./routes";

export const send = new OpenAPIHono<ApiEnv>().openapi(sendMessage, sendMessageHandler);
