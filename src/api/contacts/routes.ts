import { z } from "@hono/zod-openapi";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { DomainName, EmailAddress, Timestamp, text } from "../schemas";

export const ContactSchema = z
  .object({
    id: z.string(),
    alias: z.string(),
    address: z.string().openapi({ description: "The correspondent" }),
    reverse_address: z
      .string()
      .openapi({ description: "Write to this address to reach the correspondent as the alias" }),
    blocked: z.boolean(),
    created_at: Timestamp,
    last_seen_at: Timestamp.nullable(),
  })
  .openapi("Contact");

const Action = z.enum(["reject", "discard"]);

export const AliasOptionsSchema = z
  .object({
    alias: z.string(),
    reverse_aliases: z.boolean().nullable().openapi({ description: "null: the domain's default" }),
    expires_at: Timestamp.nullable(),
    disabled_action: Action,
    disabled_reply: z.string().nullable(),
    blocked_action: Action,
    counters: z.object({ forwarded: z.number().int(), blocked: z.number().int(), replied: z.number().int() }),
  })
  .openapi("AliasOptions");

const AddressParam = z.object({
  address: EmailAddress.openapi({ param: { name: "address", in: "path" }, example: "shop@example.com" }),
});
const ContactParam = AddressParam.extend({
  id: z
    .string()
    .regex(/^[0-9a-f]{28}$/)
    .openapi({ param: { name: "id", in: "path" } }),
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});

export const getAliasOptions = apiRoute("domain", {
  method: "get",
  path: "/aliases/{address}/options",
  tags: ["aliases"],
  summary: "An alias's options (reverse aliases, expiry, disabled and blocked behaviour) and counters",
  request: { params: AddressParam },
  responses: { 200: json(AliasOptionsSchema, "The options") },
});

export const patchAliasOptions = apiRoute("domain", {
  method: "patch",
  path: "/aliases/{address}/options",
  tags: ["aliases"],
  summary: "Change an alias's options",
  request: {
    params: AddressParam,
    ...body(
      z.object({
        reverse_aliases: z.boolean().nullable().optional(),
        expires_at: z.iso.datetime().nullable().optional(),
        disabled_action: Action.optional(),
        // Sent as the text of an SMTP reply: printable, one line, short (RFC 5321 section 4.5.3.1.5).
        disabled_reply: text(200).min(1).nullable().optional(),
        blocked_action: Action.optional(),
      }),
    ),
  },
  responses: { 200: json(AliasOptionsSchema, "The options as changed") },
});

export const getReverseDefault = apiRoute("domain", {
  method: "get",
  path: "/domains/{domain}/reverse-aliases",
  tags: ["aliases"],
  summary: "Whether aliases of the domain use reverse aliases unless they say otherwise",
  request: { params: z.object({ domain: DomainName.openapi({ param: { name: "domain", in: "path" } }) }) },
  responses: { 200: json(z.object({ domain: z.string(), default: z.boolean() }), "The default") },
});

export const putReverseDefault = apiRoute("domain", {
  method: "put",
  path: "/domains/{domain}/reverse-aliases",
  tags: ["aliases"],
  summary: "Set the domain's reverse-alias default",
  request: {
    params: z.object({ domain: DomainName.openapi({ param: { name: "domain", in: "path" } }) }),
    ...body(z.object({ default: z.boolean() })),
  },
  responses: { 200: json(z.object({ domain: z.string(), default: z.boolean() }), "The default as set") },
});

export const listContactsRoute = apiRoute("domain", {
  method: "get",
  path: "/aliases/{address}/contacts",
  tags: ["aliases"],
  summary: "The alias's contacts (correspondents) and their reverse addresses",
  request: { params: AddressParam, query: PageQuery },
  responses: { 200: json(pageSchema(ContactSchema, "ContactPage"), "A page of contacts, oldest first") },
});

export const createContactRoute = apiRoute("domain", {
  method: "post",
  path: "/aliases/{address}/contacts",
  tags: ["aliases"],
  summary: "A contact to write first: its reverse address reaches the correspondent as the alias",
  request: { params: AddressParam, ...body(z.object({ address: EmailAddress, blocked: z.boolean().default(false) })) },
  responses: { 201: json(ContactSchema, "Created (or the existing contact)"), 422: json(z.any(), "No such alias") },
});

export const patchContactRoute = apiRoute("domain", {
  method: "patch",
  path: "/aliases/{address}/contacts/{id}",
  tags: ["aliases"],
  summary: "Block or unblock a contact",
  request: { params: ContactParam, ...body(z.object({ blocked: z.boolean() })) },
  responses: { 200: json(ContactSchema, "The contact as changed") },
});

export const blockSenderRoute = apiRoute("domain", {
  method: "post",
  path: "/messages/{id}/block-sender",
  tags: ["logs"],
  summary: "Block this sender: the From author of a logged message, for the alias it was sent to",
  request: {
    params: z.object({
      id: z
        .string()
        .regex(/^[0-9a-f]{28}$/)
        .openapi({ param: { name: "id", in: "path" } }),
    }),
  },
  responses: { 200: json(ContactSchema, "The blocked contact"), 422: json(z.any(), "No alias or no single author") },
});
