import type { RouteHandler } from "@hono/zod-openapi";
import {
  deleteSuppression,
  findSuppression,
  insertSuppression,
  listSuppressions,
  type Suppression,
} from "../../store/suppressions";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { notFound } from "../problem";
import { isoRequired } from "../schemas";
import type {
  createSuppression,
  deleteSuppression as deleteSuppressionRoute,
  listSuppressions as listSuppressionsRoute,
} from "./routes";

function suppressionBody(suppression: Suppression) {
  return {
    address: suppression.address,
    reason: suppression.reason,
    source: suppression.source,
    created_at: isoRequired(suppression.createdAt),
  };
}

export const listSuppressionsHandler: RouteHandler<typeof listSuppressionsRoute, ApiEnv> = async (c) => {
  const { limit, cursor, source } = c.req.valid("query");
  const page = await listSuppressions(c.env.DB, { after: decodeCursor(cursor), source, limit });
  return c.json(pageBody(page, suppressionBody), 200);
};

export const createSuppressionHandler: RouteHandler<typeof createSuppression, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  const inserted = await insertSuppression(c.env.DB, body);
  if (inserted) return c.json(suppressionBody(inserted), 201);
  const existing = await findSuppression(c.env.DB, body.address);
  if (!existing) throw notFound(`suppression ${body.address.toLowerCase()}`);
  return c.json(suppressionBody(existing), 200);
};

export const deleteSuppressionHandler: RouteHandler<typeof deleteSuppressionRoute, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  if (!(await deleteSuppression(c.env.DB, address))) throw notFound(`suppression ${address}`);
  return c.json({ deleted: true as const }, 200);
};
