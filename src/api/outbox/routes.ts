import { z } from "@hono/zod-openapi";
import { MAX_OUTBOX_LIMIT } from "../../store/outbox";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Timestamp } from "../schemas";

export const OutboxMessage = z
  .object({
    id: z.string(),
    mail_from: z.string(),
    rcpt_to: z.array(z.string()),
    size: z.number().int(),
    created_at: Timestamp,
    raw: z.string().nullable().openapi({ description: "The message exactly as handed to the relay" }),
  })
  .openapi("OutboxMessage");

export const listOutboxRoute = apiRoute("admin", {
  method: "get",
  path: "/outbox",
  tags: ["logs"],
  summary: "Dev capture relay only (RELAY_URL=capture:): what would have been sent",
  request: {
    query: PageQuery.extend({
      limit: z.coerce.number().int().min(1).max(MAX_OUTBOX_LIMIT).default(20),
      raw: z.enum(["true", "false"]).default("true"),
    }),
  },
  responses: { 200: json(pageSchema(OutboxMessage, "OutboxPage"), "Newest first") },
});
