import type { RouteHandler } from "@hono/zod-openapi";
import { upsertDestination } from "../../store/domains";
import type { ApiEnv } from "../env";
import { decodeCursor, page } from "../pagination";
import { conflict, notFound } from "../problem";
import { isoRequired } from "../schemas";
import type { createDestination, deleteDestination, listDestinations, updateDestination } from "./routes";

interface DestinationRow {
  address: string;
  verified: number;
  created_at: number;
}

function destinationBody(row: DestinationRow) {
  return { address: row.address, verified: row.verified === 1, created_at: isoRequired(row.created_at) };
}

// destinations.address is stored lower-cased (src/store/domains.ts upsertDestination).
function find(db: D1Database, address: string) {
  return db
    .prepare("SELECT * FROM destinations WHERE address = ?1")
    .bind(address.toLowerCase())
    .first<DestinationRow>();
}

export const listDestinationsHandler: RouteHandler<typeof listDestinations, ApiEnv> = async (c) => {
  const { limit, cursor, verified } = c.req.valid("query");
  const { results } = await c.env.DB.prepare(
    `SELECT * FROM destinations WHERE (?1 IS NULL OR address > ?1) AND (?2 IS NULL OR verified = ?2)
     ORDER BY address LIMIT ?3`,
  )
    .bind(decodeCursor(cursor) ?? null, verified === undefined ? null : verified === "true" ? 1 : 0, limit + 1)
    .all<DestinationRow>();
  const result = page(results, limit, (row) => row.address);
  return c.json({ items: result.items.map(destinationBody), next_cursor: result.next_cursor }, 200);
};

export const createDestinationHandler: RouteHandler<typeof createDestination, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  if (await find(c.env.DB, body.address)) throw conflict(`destination ${body.address} is already recorded`);
  await upsertDestination(c.env.DB, body.address, body.verified).run();
  const row = await find(c.env.DB, body.address);
  if (!row) throw notFound(`destination ${body.address}`);
  return c.json(destinationBody(row), 201);
};

export const updateDestinationHandler: RouteHandler<typeof updateDestination, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const { verified } = c.req.valid("json");
  const row = await c.env.DB.prepare("UPDATE destinations SET verified = ?2 WHERE address = ?1 RETURNING *")
    .bind(address.toLowerCase(), verified ? 1 : 0)
    .first<DestinationRow>();
  if (!row) throw notFound(`destination ${address}`);
  return c.json(destinationBody(row), 200);
};

export const deleteDestinationHandler: RouteHandler<typeof deleteDestination, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const result = await c.env.DB.prepare("DELETE FROM destinations WHERE address = ?1")
    .bind(address.toLowerCase())
    .run();
  if ((result.meta.changes ?? 0) === 0) throw notFound(`destination ${address}`);
  return c.json({ deleted: true as const }, 200);
};
