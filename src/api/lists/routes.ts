/** /api/v1/lists, /lists/{address}/members, /lists/{address}/held and /held/{id}/… (DESIGN.md contract). */
import { z } from "@hono/zod-openapi";
import { ListSettings } from "../../store/list-settings";
import { MEMBER_ROLES, MEMBER_STATUSES } from "../../store/members";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Deleted, DomainName, EmailAddress, Timestamp, text } from "../schemas";

/** A member import above this is split by the caller: one request must stay inside D1's limits. */
export const MAX_MEMBERS_PER_REQUEST = 1000;

/** The response: every setting (store/list-settings.ts) with the list's address and times. */
export const ListSchema = z
  .object({
    address: z.string(),
    domain: z.string(),
    ...ListSettings.shape,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("List");

export const MemberSchema = z
  .object({
    address: z.string(),
    display_name: z.string().nullable(),
    role: z.string(),
    status: z.string(),
    receive_own: z.boolean(),
    bounce_score: z.number(),
    last_bounce_at: Timestamp.nullable(),
    disabled_reason: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("ListMember");

export const HeldSchema = z
  .object({
    id: z.string(),
    list: z.string(),
    rule: z.string(),
    reason: z.string(),
    author: z.string().nullable(),
    subject: z.string().nullable(),
    size: z.number(),
    authenticated: z.boolean(),
    created_at: Timestamp,
    expires_at: Timestamp,
  })
  .openapi("HeldMessage");

const ListParam = z.object({ address: EmailAddress.openapi({ param: { name: "address", in: "path" } }) });
const MemberParam = ListParam.extend({ member: EmailAddress.openapi({ param: { name: "member", in: "path" } }) });
const HeldParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});

export const listLists = apiRoute("domain", {
  method: "get",
  path: "/lists",
  tags: ["lists"],
  summary: "List mailing lists (a domain token sees its own)",
  request: { query: PageQuery.extend({ domain: DomainName.optional() }) },
  responses: { 200: json(pageSchema(ListSchema, "ListPage"), "A page of lists") },
});

export const createList = apiRoute("domain", {
  method: "post",
  path: "/lists",
  tags: ["lists"],
  summary: "Create a mailing list (its -request, -owner, -bounces and -confirm addresses come with it)",
  request: body(ListSettings.partial().extend({ address: EmailAddress })),
  responses: { 201: json(ListSchema, "Created"), 409: json(z.any(), "The address is taken by a list or an alias") },
});

export const getList = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}",
  tags: ["lists"],
  summary: "One mailing list",
  request: { params: ListParam },
  responses: { 200: json(ListSchema, "The list") },
});

export const updateList = apiRoute("domain", {
  method: "patch",
  path: "/lists/{address}",
  tags: ["lists"],
  summary: "Change a list's settings",
  request: {
    params: ListParam,
    ...body(ListSettings.partial()),
  },
  responses: { 200: json(ListSchema, "The list") },
});

export const deleteList = apiRoute("domain", {
  method: "delete",
  path: "/lists/{address}",
  tags: ["lists"],
  summary: "Delete a list, its members and held posts",
  request: { params: ListParam },
  responses: { 200: json(Deleted, "Deleted") },
});

const NewMember = z.object({
  address: EmailAddress,
  display_name: text(100).nullable().optional(),
  role: z.enum(MEMBER_ROLES).default("member"),
  receive_own: z.boolean().default(false),
});

export const listMembers = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/members",
  tags: ["lists"],
  summary: "A list's members",
  request: {
    params: ListParam,
    query: PageQuery.extend({
      status: z.enum(MEMBER_STATUSES).optional(),
      q: z
        .string()
        .max(200)
        .optional()
        .openapi({ description: "Text in the address or display name (case-insensitive)" }),
    }),
  },
  responses: { 200: json(pageSchema(MemberSchema, "ListMemberPage"), "A page of members") },
});

export const addMembers = apiRoute("domain", {
  method: "post",
  path: "/lists/{address}/members",
  tags: ["lists"],
  summary: "Add one or many members; without skip_confirmation each gets a confirmation mail (double opt-in)",
  request: {
    params: ListParam,
    ...body(
      z.object({
        members: z.array(NewMember).min(1).max(MAX_MEMBERS_PER_REQUEST),
        skip_confirmation: z
          .boolean()
          .default(false)
          .openapi({ description: "Import as active at once (owner-vouched)" }),
      }),
    ),
  },
  responses: {
    201: json(
      z.object({ added: z.number(), pending: z.number(), items: z.array(MemberSchema) }).openapi("MembersAdded"),
      "Added",
    ),
  },
});

export const getMember = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/members/{member}",
  tags: ["lists"],
  summary: "One member",
  request: { params: MemberParam },
  responses: { 200: json(MemberSchema, "The member") },
});

export const updateMember = apiRoute("domain", {
  method: "patch",
  path: "/lists/{address}/members/{member}",
  tags: ["lists"],
  summary: "Change role, status, display name or receive_own (status active clears the bounce score)",
  request: {
    params: MemberParam,
    ...body(
      z.object({
        display_name: text(100).nullable().optional(),
        role: z.enum(MEMBER_ROLES).optional(),
        status: z.enum(MEMBER_STATUSES).optional(),
        receive_own: z.boolean().optional(),
      }),
    ),
  },
  responses: { 200: json(MemberSchema, "The member") },
});

export const deleteMember = apiRoute("domain", {
  method: "delete",
  path: "/lists/{address}/members/{member}",
  tags: ["lists"],
  summary: "Remove a member",
  request: { params: MemberParam },
  responses: { 200: json(Deleted, "Deleted") },
});

export const listHeld = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/held",
  tags: ["lists"],
  summary: "Posts held for moderation",
  request: { params: ListParam, query: PageQuery },
  responses: { 200: json(pageSchema(HeldSchema, "HeldPage"), "A page of held posts") },
});

export const moderateHeld = apiRoute("domain", {
  method: "post",
  path: "/held/{id}/{action}",
  tags: ["lists"],
  summary: "Approve (distribute), reject (tell an authenticated author) or discard a held post",
  request: {
    params: HeldParam.extend({
      action: z.enum(["approve", "reject", "discard"]).openapi({ param: { name: "action", in: "path" } }),
    }),
    body: {
      required: false,
      content: { "application/json": { schema: z.object({ comment: text(1000).optional() }) } },
    },
  },
  responses: {
    200: json(
      z.object({ id: z.string(), action: z.string(), pages: z.number().optional(), notified: z.boolean().optional() }),
      "Done",
    ),
  },
});
