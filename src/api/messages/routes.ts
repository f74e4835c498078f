import { z } from "@hono/zod-openapi";
import { LOGGED_DECISIONS } from "../../core/logged-decision";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Timestamp } from "../schemas";

const Check = z.object({ result: z.string(), comment: z.string().nullable().optional() });

export const LoggedMessage = z
  .object({
    id: z.string(),
    received_at: Timestamp,
    mail_from: z.string(),
    rcpt_to: z.string(),
    domain: z.string().nullable(),
    message_id: z.string().nullable(),
    subject: z.string().nullable(),
    from_header: z.string().nullable(),
    size: z.number().int(),
    auth: z.object({ dkim: Check, spf: Check, arc: Check, dmarc: Check }).partial().nullable(),
    decision: z.string(),
    rule: z.string().nullable(),
    smtp_reply: z.string().nullable(),
    reason: z.string().nullable(),
    destinations: z.array(z.string()),
  })
  .openapi("LoggedMessage");

export const DeliveryAttempt = z
  .object({
    delivery: z.string().openapi({ description: "Id of the delivery (one recipient)" }),
    attempt: z.number().int().openapi({ description: "1 for the first attempt" }),
    at: Timestamp,
    status: z.string().openapi({ description: "The attempt's outcome: sent, deferred, relay-error or bounced" }),
    reply: z.string().nullable(),
    enhanced_code: z.string().nullable().openapi({ description: "RFC 3463 enhanced status code of the reply" }),
    relay: z.string().nullable(),
  })
  .openapi("DeliveryAttempt");

export const LoggedMessageDetail = LoggedMessage.extend({
  attempts: z.array(DeliveryAttempt).openapi({
    description: "Every attempt of the deliveries this principal may see, by delivery then attempt",
  }),
}).openapi("LoggedMessageDetail");

export const listLoggedMessages = apiRoute("domain", {
  method: "get",
  path: "/messages",
  tags: ["logs"],
  summary: "The inbound log: what arrived, how it authenticated, what Facteur decided",
  request: {
    query: PageQuery.extend({
      rcpt: z.string().max(1024).optional().openapi({ description: "Recipient address (case-insensitive)" }),
      decision: z.enum(LOGGED_DECISIONS).optional(),
      q: z
        .string()
        .max(200)
        .optional()
        .openapi({ description: "Text in the subject, From, envelope sender or recipient (case-insensitive)" }),
      since: z.iso.datetime({ offset: true }).optional().openapi({ description: "Received at or after" }),
      until: z.iso.datetime({ offset: true }).optional().openapi({ description: "Received before" }),
    }),
  },
  responses: { 200: json(pageSchema(LoggedMessage, "LoggedMessagePage"), "Newest first") },
});

export const getLoggedMessage = apiRoute("domain", {
  method: "get",
  path: "/messages/{id}",
  tags: ["logs"],
  summary: "One inbound log entry: authentication results, deciding rule, SMTP reply, destinations, attempts",
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
  },
  responses: { 200: json(LoggedMessageDetail, "The entry") },
});
