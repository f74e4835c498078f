import { z } from "@hono/zod-openapi";
import { apiRoute, json } from "../route";
import { Deleted, EmailAddress, Timestamp, text } from "../schemas";

export const AutoReplySchema = z
  .object({
    alias: z.string(),
    enabled: z.boolean(),
    subject: z.string(),
    body: z.string(),
    starts_at: Timestamp.nullable(),
    ends_at: Timestamp.nullable(),
    interval_days: z.number().int().openapi({ description: "A sender is answered at most once per this many days" }),
    updated_at: Timestamp,
  })
  .openapi("AutoReply");

const AddressParam = z.object({
  address: EmailAddress.openapi({ param: { name: "address", in: "path" }, example: "din@example.com" }),
});

export const getAutoReply = apiRoute("domain", {
  method: "get",
  path: "/aliases/{address}/auto-reply",
  tags: ["aliases"],
  summary: "An alias's auto-reply (vacation message, RFC 3834)",
  request: { params: AddressParam },
  responses: { 200: json(AutoReplySchema, "The auto-reply") },
});

export const putAutoReply = apiRoute("domain", {
  method: "put",
  path: "/aliases/{address}/auto-reply",
  tags: ["aliases"],
  summary: "Set an alias's auto-reply: on/off, subject, body, dates, interval",
  request: {
    params: AddressParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            enabled: z.boolean().default(true),
            subject: text(200),
            body: z.string().min(1).max(10_000),
            starts_at: z.iso.datetime().nullable().default(null),
            ends_at: z.iso.datetime().nullable().default(null),
            interval_days: z.number().int().min(1).max(365).default(7),
          }),
        },
      },
    },
  },
  responses: { 200: json(AutoReplySchema, "The auto-reply as set"), 422: json(z.any(), "No such alias") },
});

export const deleteAutoReply = apiRoute("domain", {
  method: "delete",
  path: "/aliases/{address}/auto-reply",
  tags: ["aliases"],
  summary: "Remove an alias's auto-reply",
  request: { params: AddressParam },
  responses: { 200: json(Deleted, "Deleted") },
});
