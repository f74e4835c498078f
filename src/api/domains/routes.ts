import { z } from "@hono/zod-openapi";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Deleted, DomainName, EmailAddress, Timestamp } from "../schemas";

/** An alias or catch-all with more destinations than this is a mailing list in disguise. */
export const MAX_DESTINATIONS = 50;

export const Destinations = z.array(EmailAddress).min(1).max(MAX_DESTINATIONS);

export const RelayUrl = z.string().max(2048).openapi({
  example: "smtp+starttls://user:pass@smtp.example.net:587",
  description: "Overrides RELAY_URL for this domain",
});

export const Domain = z
  .object({
    name: z.string().openapi({ example: "example.com" }),
    enabled: z.boolean(),
    catch_all: z
      .array(z.string())
      .nullable()
      .openapi({ description: "Destinations for unknown local parts; null = reject" }),
    relay_url: z.string().nullable().openapi({ description: "Per-domain relay; the secret part is masked" }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Domain");

const DomainParam = z.object({ domain: DomainName.openapi({ param: { name: "domain", in: "path" } }) });

export const listDomains = apiRoute("domain", {
  method: "get",
  path: "/domains",
  tags: ["domains"],
  summary: "List domains (a domain token sees its own)",
  request: { query: PageQuery },
  responses: { 200: json(pageSchema(Domain, "DomainPage"), "A page of domains") },
});

export const createDomain = apiRoute("admin", {
  method: "post",
  path: "/domains",
  tags: ["domains"],
  summary: "Add a domain",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            name: DomainName,
            enabled: z.boolean().default(true),
            catch_all: Destinations.nullable().default(null),
            relay_url: RelayUrl.nullable().default(null),
          }),
        },
      },
    },
  },
  responses: { 201: json(Domain, "Created"), 409: json(z.any(), "The domain exists") },
});

export const getDomain = apiRoute("domain", {
  method: "get",
  path: "/domains/{domain}",
  tags: ["domains"],
  summary: "One domain",
  request: { params: DomainParam },
  responses: { 200: json(Domain, "The domain") },
});

export const updateDomain = apiRoute("domain", {
  method: "patch",
  path: "/domains/{domain}",
  tags: ["domains"],
  summary: "Change enabled, catch-all or relay",
  request: {
    params: DomainParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            enabled: z.boolean().optional(),
            catch_all: Destinations.nullable().optional(),
            relay_url: RelayUrl.nullable().optional(),
          }),
        },
      },
    },
  },
  responses: { 200: json(Domain, "The updated domain") },
});

export const deleteDomain = apiRoute("admin", {
  method: "delete",
  path: "/domains/{domain}",
  tags: ["domains"],
  summary: "Remove a domain with its aliases and DKIM keys",
  request: { params: DomainParam },
  responses: { 200: json(Deleted, "Deleted") },
});
