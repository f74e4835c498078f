import { z } from "@hono/zod-openapi";
import { apiRoute, json } from "../route";
import { Deleted, DomainName, EmailAddress, Timestamp, text } from "../schemas";

export const WebhookSchema = z
  .object({
    id: z.string(),
    domain: z.string(),
    alias: z.string().nullable().openapi({ description: "null: every alias of the domain" }),
    url: z.string(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Webhook");

const CreatedWebhook = WebhookSchema.extend({
  secret: z.string().openapi({ description: "The signing secret (whsec_…); shown only here" }),
}).openapi("CreatedWebhook");

const Attempt = z.object({
  attempt: z.number().int(),
  at: Timestamp,
  status: z.number().int().nullable().openapi({ description: "HTTP status; null when no answer" }),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
});

const WebhookDeliverySchema = z
  .object({
    id: z.string().openapi({ description: "The webhook-id header, the same on every retry" }),
    message_id: z.string().openapi({ description: "The inbound message (GET /api/v1/messages/{id})" }),
    status: z.enum(["pending", "delivered", "failed", "gone"]),
    attempts: z.array(Attempt),
    next_attempt_at: Timestamp.nullable(),
    created_at: Timestamp,
  })
  .openapi("WebhookDelivery");

const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .openapi({ param: { name: "id", in: "path" }, example: "wh_01a2" }),
});

const Url = text(2048).openapi({ example: "https://hooks.example/facteur" });

export const listWebhooks = apiRoute("domain", {
  method: "get",
  path: "/webhooks",
  tags: ["webhooks"],
  summary: "List webhooks; a domain token sees its own domains",
  responses: { 200: json(z.object({ items: z.array(WebhookSchema) }), "Webhooks by domain") },
});

export const createWebhook = apiRoute("domain", {
  method: "post",
  path: "/webhooks",
  tags: ["webhooks"],
  summary: "POST every accepted message of an alias, or of every alias of a domain, to a URL",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({
              domain: DomainName.optional(),
              alias: EmailAddress.optional(),
              url: Url,
              secret: text(200)
                .optional()
                .openapi({ description: "whsec_ + base64 of 24-64 bytes; generated if absent" }),
            })
            .refine((b) => b.domain !== undefined || b.alias !== undefined, "give an alias or a domain"),
        },
      },
    },
  },
  responses: {
    201: json(CreatedWebhook, "Created; the secret is shown only now"),
    422: json(z.any(), "Unknown domain or alias, or a URL that is not allowed"),
  },
});

export const getWebhook = apiRoute("domain", {
  method: "get",
  path: "/webhooks/{id}",
  tags: ["webhooks"],
  summary: "One webhook",
  request: { params: IdParam },
  responses: { 200: json(WebhookSchema, "The webhook") },
});

export const updateWebhook = apiRoute("domain", {
  method: "patch",
  path: "/webhooks/{id}",
  tags: ["webhooks"],
  summary: "Change the URL, or enable a webhook again (after a 410) or disable it",
  request: {
    params: IdParam,
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ url: Url.optional(), enabled: z.boolean().optional() }) } },
    },
  },
  responses: { 200: json(WebhookSchema, "The updated webhook"), 422: json(z.any(), "A URL that is not allowed") },
});

export const deleteWebhook = apiRoute("domain", {
  method: "delete",
  path: "/webhooks/{id}",
  tags: ["webhooks"],
  summary: "Remove a webhook (its pending deliveries stop, its raw links stop working)",
  request: { params: IdParam },
  responses: { 200: json(Deleted, "Deleted") },
});

export const listWebhookDeliveries = apiRoute("domain", {
  method: "get",
  path: "/webhooks/{id}/deliveries",
  tags: ["webhooks"],
  summary: "The newest 100 deliveries of a webhook, each with its attempts",
  request: { params: IdParam },
  responses: { 200: json(z.object({ items: z.array(WebhookDeliverySchema) }), "Deliveries, newest first") },
});
