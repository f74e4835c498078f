/**
 * /api/v1/lists/{address}/members/{member}/delivery: a member's delivery mode: each post, a daily
 * or weekly digest, or no mail (the member stays subscribed and may post and read the archive).
 */
import { OpenAPIHono, type RouteHandler, z } from "@hono/zod-openapi";
import { DELIVERY_MODES, findDeliveryMode, updateDeliveryMode } from "../../store/delivery-modes";
import { findListByAddress } from "../../store/lists";
import type { ApiEnv } from "../env";
import { notFound } from "../problem";
import { apiRoute, json } from "../route";
import { EmailAddress } from "../schemas";

const Params = z.object({
  address: EmailAddress.openapi({ param: { name: "address", in: "path" } }),
  member: EmailAddress.openapi({ param: { name: "member", in: "path" } }),
});
const Delivery = z.object({ mode: z.enum(DELIVERY_MODES) }).openapi("MemberDelivery");

export const getDelivery = apiRoute("domain", {
  method: "get",
  path: "/lists/{address}/members/{member}/delivery",
  tags: ["lists"],
  summary: "A member's delivery mode",
  request: { params: Params },
  responses: { 200: json(Delivery, "The mode") },
});

export const putDelivery = apiRoute("domain", {
  method: "put",
  path: "/lists/{address}/members/{member}/delivery",
  tags: ["lists"],
  summary: "Set a member's delivery mode: each | digest_daily | digest_weekly | nomail",
  request: { params: Params, body: { required: true, content: { "application/json": { schema: Delivery } } } },
  responses: { 200: json(Delivery, "The mode") },
});

async function listOf(db: D1Database, address: string): Promise<string> {
  const list = await findListByAddress(db, address);
  if (!list) throw notFound(`list ${address}`);
  return list.address;
}

const getHandler: RouteHandler<typeof getDelivery, ApiEnv> = async (c) => {
  const { address, member } = c.req.valid("param");
  const mode = await findDeliveryMode(c.env.DB, await listOf(c.env.DB, address), member);
  if (!mode) throw notFound(`member ${member}`);
  return c.json({ mode }, 200);
};

const putHandler: RouteHandler<typeof putDelivery, ApiEnv> = async (c) => {
  const { address, member } = c.req.valid("param");
  const { mode } = c.req.valid("json");
  if (!(await updateDeliveryMode(c.env.DB, await listOf(c.env.DB, address), member, mode))) {
    throw notFound(`member ${member}`);
  }
  return c.json({ mode }, 200);
};

export const deliveryModes = new OpenAPIHono<ApiEnv>()
  .openapi(getDelivery, getHandler)
  .openapi(putDelivery, putHandler);
