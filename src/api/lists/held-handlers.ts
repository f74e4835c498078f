/** /api/v1/lists/{address}/held and /held/{id}/{action}: the moderation queue. */
import type { RouteHandler } from "@hono/zod-openapi";
import { moderateHeld as moderate } from "../../lists/moderation";
import { domainOf } from "../../mail/address";
import { findHeldById, type HeldMessage, listHeld as listHeldRows } from "../../store/held";
import { assertDomainRead, assertDomainWrite } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { ApiProblem, notFound } from "../problem";
import { isoRequired } from "../schemas";
import { requireList } from "./list-handlers";
import type { listHeld, moderateHeld } from "./routes";

function heldBody(held: HeldMessage) {
  return {
    id: held.id,
    list: held.listAddress,
    rule: held.rule,
    reason: held.reason,
    author: held.author,
    subject: held.subject,
    size: held.size,
    authenticated: held.authenticated,
    created_at: isoRequired(held.createdAt),
    expires_at: isoRequired(held.expiresAt),
  };
}

export const listHeldHandler: RouteHandler<typeof listHeld, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  assertDomainRead(c.get("access"), domainOf(address));
  const list = await requireList(c.env.DB, address);
  const page = await listHeldRows(c.env.DB, list.address, { limit, after: decodeCursor(cursor) });
  return c.json(pageBody(page, heldBody), 200);
};

export const moderateHeldHandler: RouteHandler<typeof moderateHeld, ApiEnv> = async (c) => {
  const { id, action } = c.req.valid("param");
  const held = await findHeldById(c.env.DB, id);
  if (!held) throw notFound(`held post ${id}`);
  // The path names no domain, so the held post's list decides which tokens may act.
  assertDomainWrite(c.get("access"), domainOf(held.listAddress));
  let comment: string | undefined;
  if (c.req.header("content-type")?.includes("application/json")) {
    const parsed = (await c.req.json().catch(() => ({}))) as { comment?: unknown };
    comment = typeof parsed.comment === "string" ? parsed.comment.slice(0, 1000) : undefined;
  }
  const result = await moderate(c.env, id, action, Date.now(), comment);
  if (!result.ok) {
    if (result.problem === "not-found") throw notFound(`held post ${id}`);
    throw new ApiProblem(409, "conflict", `held post ${id}: ${result.problem}`);
  }
  return c.json({ id, action, pages: result.distribution?.pages, notified: result.notified }, 200);
};
