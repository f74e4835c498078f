import { z } from "@hono/zod-openapi";
import { Destinations } from "../domains/routes";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Deleted, DomainName, EmailAddress, Timestamp, text, UserName } from "../schemas";

export const Alias = z
  .object({
    address: z.string().openapi({ example: "din@example.com" }),
    domain: z.string(),
    is_pattern: z.boolean().openapi({ description: "The local part contains '*' (wildcard)" }),
    destinations: z
      .array(z.string())
      .nullable()
      .openapi({ description: "null = the owner's mailboxes (users database)" }),
    owner: z.string().nullable(),
    enabled: z.boolean(),
    description: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Alias");

const AddressParam = z.object({
  address: EmailAddress.openapi({ param: { name: "address", in: "path" }, example: "din@example.com" }),
});

const Description = text(500).nullable();

export const listAliases = apiRoute("domain", {
  method: "get",
  path: "/aliases",
  tags: ["aliases"],
  summary: "List aliases (?domain= &owner=); a domain token sees its own domains",
  request: { query: PageQuery.extend({ domain: DomainName.optional(), owner: UserName.optional() }) },
  responses: { 200: json(pageSchema(Alias, "AliasPage"), "A page of aliases, by address") },
});

export const createAlias = apiRoute("domain", {
  method: "post",
  path: "/aliases",
  tags: ["aliases"],
  summary: "Create an alias (exact, plus-addressed or '*' wildcard)",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            address: EmailAddress,
            destinations: Destinations.nullable().default(null),
            owner: UserName.nullable().default(null),
            enabled: z.boolean().default(true),
            description: Description.default(null),
          }),
        },
      },
    },
  },
  responses: {
    201: json(Alias, "Created"),
    409: json(z.any(), "The alias exists"),
    422: json(z.any(), "Unknown domain or owner"),
  },
});

export const getAlias = apiRoute("domain", {
  method: "get",
  path: "/aliases/{address}",
  tags: ["aliases"],
  summary: "One alias",
  request: { params: AddressParam },
  responses: { 200: json(Alias, "The alias") },
});

export const updateAlias = apiRoute("domain", {
  method: "patch",
  path: "/aliases/{address}",
  tags: ["aliases"],
  summary: "Change destinations, owner, enabled or description",
  request: {
    params: AddressParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            destinations: Destinations.nullable().optional(),
            owner: UserName.nullable().optional(),
            enabled: z.boolean().optional(),
            description: Description.optional(),
          }),
        },
      },
    },
  },
  responses: { 200: json(Alias, "The updated alias") },
});

export const deleteAlias = apiRoute("domain", {
  method: "delete",
  path: "/aliases/{address}",
  tags: ["aliases"],
  summary: "Remove an alias",
  request: { params: AddressParam },
  responses: { 200: json(Deleted, "Deleted") },
});
