import type { RouteHandler } from "@hono/zod-openapi";
import { log } from "../../core/log";
import {
  findArchivedPost,
  findArchivePolicy,
  listArchiveTakedowns,
  takeDownArchivedPost,
  upsertArchivePolicy,
} from "../../store/archive";
import { findListByAddress } from "../../store/lists";
import type { ApiEnv } from "../env";
import { notFound } from "../problem";
import { iso } from "../schemas";
import { streamMbox } from "./mbox";
import { readMonths, readPost, readPosts, readSearch } from "./reader";
import { attachmentOf } from "./render";
import type {
  getArchive,
  getArchivedAttachment,
  getArchivedPost,
  getArchiveMbox,
  getArchiveSettings,
  listTakedowns,
  putArchiveSettings,
  searchArchiveRoute,
  takeDownPost,
} from "./routes";

async function listOf(db: D1Database, address: string): Promise<string> {
  const list = await findListByAddress(db, address);
  if (!list) throw notFound(`list ${address}`);
  return list.address;
}

async function postOf(db: D1Database, list: string, id: string) {
  const post = await findArchivedPost(db, list, id);
  if (!post) throw notFound(`archived post ${id}`);
  return post;
}

export const getArchiveHandler: RouteHandler<typeof getArchive, ApiEnv> = async (c) => {
  const list = await listOf(c.env.DB, c.req.valid("param").address);
  const { month, thread, after } = c.req.valid("query");
  if (!month && !thread) return c.json(await readMonths(c.env.DB, list), 200);
  return c.json(await readPosts(c.env.DB, list, thread ? { threadId: thread } : { month }, after, false), 200);
};

export const searchArchiveHandler: RouteHandler<typeof searchArchiveRoute, ApiEnv> = async (c) => {
  const list = await listOf(c.env.DB, c.req.valid("param").address);
  return c.json(await readSearch(c.env.DB, list, c.req.valid("query").q, false), 200);
};

export const getArchivedPostHandler: RouteHandler<typeof getArchivedPost, ApiEnv> = async (c) => {
  const { address, id } = c.req.valid("param");
  const list = await listOf(c.env.DB, address);
  const post = await readPost(c.env, await postOf(c.env.DB, list, id), false);
  if (!post) throw notFound(`archived post ${id}`);
  return c.json(post, 200);
};

export const getArchivedAttachmentHandler: RouteHandler<typeof getArchivedAttachment, ApiEnv> = async (c) => {
  const { address, id, index } = c.req.valid("param");
  const list = await listOf(c.env.DB, address);
  const object = await c.env.MAIL.get((await postOf(c.env.DB, list, id)).r2Key);
  const attachment = object ? await attachmentOf(await object.arrayBuffer(), Number(index)) : null;
  if (!attachment) throw notFound(`attachment ${index}`);
  const filename = (attachment.filename ?? `attachment-${index}`).replace(/["\\\r\n]/g, "_");
  return new Response(attachment.content, {
    headers: {
      // Served as a download, never rendered: an attached HTML file must not run in our origin.
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="${filename}"`,
      "x-content-type-options": "nosniff",
    },
  });
};

export const getArchiveMboxHandler: RouteHandler<typeof getArchiveMbox, ApiEnv> = async (c) => {
  const { address, month } = c.req.valid("param");
  const list = await listOf(c.env.DB, address);
  return new Response(streamMbox(c.env, list, month), {
    headers: {
      "content-type": "application/mbox",
      "content-disposition": `attachment; filename="${list}-${month}.mbox"`,
    },
  });
};

export const takeDownPostHandler: RouteHandler<typeof takeDownPost, ApiEnv> = async (c) => {
  const { address, id } = c.req.valid("param");
  const list = await listOf(c.env.DB, address);
  const post = await postOf(c.env.DB, list, id);
  const access = c.get("access");
  const by = access.tokenId ?? (access.kind === "admin-token" ? "admin" : (access.userName ?? "unknown"));
  await takeDownArchivedPost(c.env.DB, post, by, c.req.valid("query").reason ?? null, Date.now());
  await c.env.MAIL.delete(post.r2Key);
  log({ stage: "api", unit: "archive-takedown", outcome: "removed", list, post: id, by });
  return c.json({ deleted: true as const }, 200);
};

export const listTakedownsHandler: RouteHandler<typeof listTakedowns, ApiEnv> = async (c) => {
  const list = await listOf(c.env.DB, c.req.valid("param").address);
  const rows = await listArchiveTakedowns(c.env.DB, list);
  return c.json({ items: rows.map((row) => ({ ...row, removed_at: iso(row.removed_at) })) }, 200);
};

export const getArchiveSettingsHandler: RouteHandler<typeof getArchiveSettings, ApiEnv> = async (c) => {
  const list = await listOf(c.env.DB, c.req.valid("param").address);
  return c.json({ policy: await findArchivePolicy(c.env.DB, list) }, 200);
};

export const putArchiveSettingsHandler: RouteHandler<typeof putArchiveSettings, ApiEnv> = async (c) => {
  const list = await listOf(c.env.DB, c.req.valid("param").address);
  const { policy } = c.req.valid("json");
  await upsertArchivePolicy(c.env.DB, list, policy, Date.now());
  return c.json({ policy }, 200);
};
