import { z } from "@hono/zod-openapi";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Deleted, EmailAddress, Timestamp } from "../schemas";

export const Destination = z
  .object({
    address: z.string().openapi({ example: "boss@gmail.com" }),
    verified: z.boolean().openapi({ description: "Verified in the Cloudflare account: forward() reaches it" }),
    created_at: Timestamp,
  })
  .openapi("Destination");

const AddressParam = z.object({ address: EmailAddress.openapi({ param: { name: "address", in: "path" } }) });

export const listDestinations = apiRoute("admin", {
  method: "get",
  path: "/destinations",
  tags: ["destinations"],
  summary: "Destination addresses and whether Cloudflare has verified them",
  request: { query: PageQuery.extend({ verified: z.enum(["true", "false"]).optional() }) },
  responses: { 200: json(pageSchema(Destination, "DestinationPage"), "A page of destinations") },
});

export const createDestination = apiRoute("admin", {
  method: "post",
  path: "/destinations",
  tags: ["destinations"],
  summary: "Record a destination (verified = Cloudflare Email Routing verified it)",
  request: {
    body: {
      required: true,
      content: {
        "application/json": { schema: z.object({ address: EmailAddress, verified: z.boolean().default(true) }) },
      },
    },
  },
  responses: { 201: json(Destination, "Created"), 409: json(z.any(), "Already recorded") },
});

export const updateDestination = apiRoute("admin", {
  method: "patch",
  path: "/destinations/{address}",
  tags: ["destinations"],
  summary: "Mark a destination verified or not",
  request: {
    params: AddressParam,
    body: { required: true, content: { "application/json": { schema: z.object({ verified: z.boolean() }) } } },
  },
  responses: { 200: json(Destination, "Updated") },
});

export const deleteDestination = apiRoute("admin", {
  method: "delete",
  path: "/destinations/{address}",
  tags: ["destinations"],
  summary: "Forget a destination (mail to it then goes through the relay)",
  request: { params: AddressParam },
  responses: { 200: json(Deleted, "Deleted") },
});
