import { z } from "@hono/zod-openapi";
import { DELIVERY_STATUSES } from "../../core/delivery-status";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Timestamp } from "../schemas";

export const Delivery = z
  .object({
    id: z.string(),
    message: z.string().openapi({ description: "Id of the logged message (or submission) delivered" }),
    origin: z.string(),
    domain: z.string(),
    mail_from: z.string(),
    rcpt: z.string(),
    status: z.enum(DELIVERY_STATUSES as unknown as [string, ...string[]]),
    attempts: z.number().int(),
    relay: z.string().nullable(),
    last_reply: z.string().nullable(),
    next_attempt_at: Timestamp.nullable(),
    dsn: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Delivery");

export const listDeliveriesRoute = apiRoute("domain", {
  method: "get",
  path: "/deliveries",
  tags: ["logs"],
  summary: "Per-recipient delivery state (?message= &status=)",
  request: {
    query: PageQuery.extend({
      message: z.string().max(64).optional(),
      status: z.enum(DELIVERY_STATUSES as unknown as [string, ...string[]]).optional(),
    }),
  },
  responses: { 200: json(pageSchema(Delivery, "DeliveryPage"), "Newest first") },
});
