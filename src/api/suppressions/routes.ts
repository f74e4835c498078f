import { z } from "@hono/zod-openapi";
import { SUPPRESSION_SOURCES } from "../../store/suppressions";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Deleted, EmailAddress, Timestamp, text } from "../schemas";

export const Suppression = z
  .object({
    address: z.string(),
    reason: z.string().nullable(),
    source: z.enum(SUPPRESSION_SOURCES),
    created_at: Timestamp,
  })
  .openapi("Suppression");

export const listSuppressions = apiRoute("admin", {
  method: "get",
  path: "/suppressions",
  tags: ["suppressions"],
  summary: "Addresses Facteur will not send to",
  request: { query: PageQuery.extend({ source: z.enum(SUPPRESSION_SOURCES).optional() }) },
  responses: { 200: json(pageSchema(Suppression, "SuppressionPage"), "A page of suppressions, by address") },
});

export const createSuppression = apiRoute("admin", {
  method: "post",
  path: "/suppressions",
  tags: ["suppressions"],
  summary: "Suppress an address (idempotent)",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            address: EmailAddress,
            reason: text(500).nullable().default(null),
            source: z.enum(SUPPRESSION_SOURCES).default("manual"),
          }),
        },
      },
    },
  },
  responses: { 201: json(Suppression, "Suppressed"), 200: json(Suppression, "Already suppressed") },
});

export const deleteSuppression = apiRoute("admin", {
  method: "delete",
  path: "/suppressions/{address}",
  tags: ["suppressions"],
  summary: "Lift a suppression",
  request: { params: z.object({ address: EmailAddress.openapi({ param: { name: "address", in: "path" } }) }) },
  responses: { 200: json(Deleted, "Deleted") },
});
