/** /api/v1/lists/{address}/archive…: the list archive for owners (domain and admin tokens). */
import { z } from "@hono/zod-openapi";
import { ARCHIVE_POLICIES } from "../../store/archive";
import { apiRoute, json } from "../route";
import { EmailAddress, text } from "../schemas";

const ListParam = z.object({ address: EmailAddress.openapi({ param: { name: "address", in: "path" } }) });
const Month = z.string().regex(/^\d{4}-\d{2}$/, "YYYY-MM");
const PostId = z.string().min(1).max(64);
const PostParam = ListParam.extend({ id: PostId.openapi({ param: { name: "id", in: "path" } }) });
const tags = ["archive"];

const PostSummary = z
  .object({
    id: z.string(),
    thread: z.string(),
    month: z.string(),
    subject: z.string().nullable(),
    author: z.string().nullable(),
    date: z.string().nullable(),
    message_id: z.string().nullable(),
    in_reply_to: z.string().nullable(),
    references: z.string().nullable(),
    size: z.number(),
    archived_at: z.string().nullable(),
  })
  .openapi("ArchivedPost");
const PostPage = z.object({ items: z.array(PostSummary), next: z.string().nullable() }).openapi("ArchivedPostPage");
const Post = PostSummary.extend({
  from: z.string().nullable(),
  text: z.string().nullable(),
  html: z.string().nullable().openapi({ description: "Sanitised: no script, no remote content" }),
  attachments: z.array(
    z.object({ index: z.number(), filename: z.string().nullable(), content_type: z.string(), size: z.number() }),
  ),
}).openapi("ArchivedPostContent");
const Settings = z.object({ policy: z.enum(ARCHIVE_POLICIES) }).openapi("ArchiveSettings");

export const getArchive = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/archive",
  tags,
  summary: "The archive by month (?month=YYYY-MM: that month's posts), or one thread (?thread=<post id>)",
  request: {
    params: ListParam,
    query: z.object({ month: Month.optional(), thread: PostId.optional(), after: PostId.optional() }),
  },
  responses: {
    200: json(
      z.union([
        z.object({ list: z.string(), months: z.array(z.object({ month: z.string(), posts: z.number() })) }),
        PostPage,
      ]),
      "Months with their post counts, or a page of posts",
    ),
  },
});

export const searchArchiveRoute = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/archive/search",
  tags,
  summary: "Full-text search over subject, author and text (every word must match)",
  request: { params: ListParam, query: z.object({ q: z.string().min(1).max(200) }) },
  responses: {
    200: json(z.object({ items: z.array(z.object({ id: z.string(), snippet: z.string() })) }), "Hits, best first"),
  },
});

export const getArchivedPost = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/archive/posts/{id}",
  tags,
  summary: "One archived post: header fields, text, sanitised HTML, attachments",
  request: { params: PostParam },
  responses: { 200: json(Post, "The post") },
});

export const getArchivedAttachment = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/archive/posts/{id}/attachments/{index}",
  tags,
  summary: "Download one attachment of an archived post",
  request: {
    params: PostParam.extend({
      index: z
        .string()
        .regex(/^\d{1,4}$/, "an attachment number")
        .openapi({ param: { name: "index", in: "path" } }),
    }),
  },
  responses: {
    200: { description: "The attachment", content: { "application/octet-stream": { schema: z.string() } } },
  },
});

export const getArchiveMbox = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/archive/months/{month}/mbox",
  tags,
  summary: "A month as an mbox (RFC 4155, mboxrd From-quoting), streamed",
  request: { params: ListParam.extend({ month: Month.openapi({ param: { name: "month", in: "path" } }) }) },
  responses: { 200: { description: "application/mbox", content: { "application/mbox": { schema: z.string() } } } },
});

export const takeDownPost = apiRoute("domain", {
  method: "delete",
  path: "/lists/{address}/archive/posts/{id}",
  tags,
  summary: "Take a post down from the archive (logged: GET …/archive/takedowns)",
  request: {
    params: PostParam,
    query: z.object({ reason: text(500).optional() }),
  },
  responses: { 200: json(z.object({ deleted: z.literal(true) }), "Removed") },
});

export const listTakedowns = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/archive/takedowns",
  tags,
  summary: "Posts taken down, by whom and when",
  request: { params: ListParam },
  responses: {
    200: json(
      z.object({
        items: z.array(
          z.object({
            post_id: z.string(),
            message_id: z.string().nullable(),
            subject: z.string().nullable(),
            removed_by: z.string(),
            reason: z.string().nullable(),
            removed_at: z.string().nullable(),
          }),
        ),
      }),
      "The takedown log",
    ),
  },
});

export const getArchiveSettings = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/archive/settings",
  tags,
  summary: "Who may read the archive: public | members | owners | off (no archiving)",
  request: { params: ListParam },
  responses: { 200: json(Settings, "The setting") },
});

export const putArchiveSettings = apiRoute("domain", {
  method: "put",
  path: "/lists/{address}/archive/settings",
  tags,
  summary: "Set who may read the archive; applies to every post already archived",
  request: { params: ListParam, body: { required: true, content: { "application/json": { schema: Settings } } } },
  responses: { 200: json(Settings, "The setting") },
});
