/** /api/v1/aliases/{address}/auto-reply: an alias's vacation message (RFC 3834). */
import { OpenAPIHono, type RouteHandler } from "@hono/zod-openapi";
import { domainOf, lookupKey } from "../../mail/address";
import { findAliasByAddress } from "../../store/aliases";
import {
  type AutoReply,
  deleteAutoReply as deleteAutoReplyRow,
  findAutoReply,
  upsertAutoReply,
} from "../../store/auto-replies";
import { assertDomainRead, assertDomainWrite } from "../access";
import type { ApiEnv } from "../env";
import { ApiProblem, notFound } from "../problem";
import { iso, isoRequired } from "../schemas";
import { deleteAutoReply, getAutoReply, putAutoReply } from "./routes";

function autoReplyBody(address: string, reply: AutoReply) {
  return {
    alias: address,
    enabled: reply.enabled,
    subject: reply.subject,
    body: reply.body,
    starts_at: iso(reply.startsAt),
    ends_at: iso(reply.endsAt),
    interval_days: reply.intervalDays,
    updated_at: isoRequired(reply.updatedAt),
  };
}

const getHandler: RouteHandler<typeof getAutoReply, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainRead(c.get("access"), domainOf(address));
  const reply = await findAutoReply(c.env.DB, lookupKey(address));
  if (!reply) throw notFound(`auto-reply of ${address}`);
  return c.json(autoReplyBody(address, reply), 200);
};

const putHandler: RouteHandler<typeof putAutoReply, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const body = c.req.valid("json");
  const domain = domainOf(address);
  assertDomainWrite(c.get("access"), domain);
  if (!(await findAliasByAddress(c.env.DB, address))) {
    throw new ApiProblem(422, "unprocessable", `address: no alias ${address}`, {
      errors: [{ field: "address", detail: `no alias ${address}`, in: "path" }],
    });
  }
  const alias = lookupKey(address);
  await upsertAutoReply(c.env.DB, {
    alias,
    domain,
    enabled: body.enabled,
    subject: body.subject,
    body: body.body,
    startsAt: body.starts_at ? Date.parse(body.starts_at) : null,
    endsAt: body.ends_at ? Date.parse(body.ends_at) : null,
    intervalDays: body.interval_days,
  }).run();
  const reply = await findAutoReply(c.env.DB, alias);
  if (!reply) throw notFound(`auto-reply of ${address}`);
  return c.json(autoReplyBody(address, reply), 200);
};

const deleteHandler: RouteHandler<typeof deleteAutoReply, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainWrite(c.get("access"), domainOf(address));
  if (!(await deleteAutoReplyRow(c.env.DB, lookupKey(address)))) throw notFound(`auto-reply of ${address}`);
  return c.json({ deleted: true as const }, 200);
};

export const autoReplies = new OpenAPIHono<ApiEnv>()
  .openapi(getAutoReply, getHandler)
  .openapi(putAutoReply, putHandler)
  .openapi(deleteAutoReply, deleteHandler);
