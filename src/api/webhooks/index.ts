/** /api/v1/webhooks: accepted alias mail POSTed to code, and what each POST got back. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import {
  createWebhookHandler,
  deleteWebhookHandler,
  getWebhookHandler,
  listWebhookDeliveriesHandler,
  listWebhooksHandler,
  updateWebhookHandler,
} from "./handlers";
import { createWebhook, deleteWebhook, getWebhook, listWebhookDeliveries, listWebhooks, updateWebhook } from "./routes";

export const webhooks = new OpenAPIHono<ApiEnv>()
  .openapi(listWebhooks, listWebhooksHandler)
  .openapi(createWebhook, createWebhookHandler)
  .openapi(getWebhook, getWebhookHandler)
  .openapi(updateWebhook, updateWebhookHandler)
  .openapi(deleteWebhook, deleteWebhookHandler)
  .openapi(listWebhookDeliveries, listWebhookDeliveriesHandler);
