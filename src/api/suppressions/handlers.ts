import type { RouteHandler } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { decodeCursor, page } from "../pagination";
import { notFound } from "../problem";
import { isoRequired } from "../schemas";
import type { createSuppression, deleteSuppression, listSuppressions, SUPPRESSION_SOURCES } from "./routes";

interface SuppressionRow {
  address: string;
  reason: string | null;
  source: (typeof SUPPRESSION_SOURCES)[number];
  created_at: number;
}

function suppressionBody(row: SuppressionRow) {
  return { address: row.address, reason: row.reason, source: row.source, created_at: isoRequired(row.created_at) };
}

export const listSuppressionsHandler: RouteHandler<typeof listSuppressions, ApiEnv> = async (c) => {
  const { limit, cursor, source } = c.req.valid("query");
  const { results } = await c.env.DB.prepare(
    `SELECT * FROM suppressions WHERE (?1 IS NULL OR address > ?1) AND (?2 IS NULL OR source = ?2)
     ORDER BY address LIMIT ?3`,
  )
    .bind(decodeCursor(cursor) ?? null, source ?? null, limit + 1)
    .all<SuppressionRow>();
  const result = page(results, limit, (row) => row.address);
  return c.json({ items: result.items.map(suppressionBody), next_cursor: result.next_cursor }, 200);
};

export const createSuppressionHandler: RouteHandler<typeof createSuppression, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  // Suppressions match case-insensitively: no real mailbox differs from another by case only.
  const address = body.address.toLowerCase();
  const inserted = await c.env.DB.prepare(
    `INSERT INTO suppressions (address, reason, source, created_at) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (address) DO NOTHING RETURNING *`,
  )
    .bind(address, body.reason, body.source, Date.now())
    .first<SuppressionRow>();
  if (inserted) return c.json(suppressionBody(inserted), 201);
  const existing = await c.env.DB.prepare("SELECT * FROM suppressions WHERE address = ?1")
    .bind(address)
    .first<SuppressionRow>();
  if (!existing) throw notFound(`suppression ${address}`);
  return c.json(suppressionBody(existing), 200);
};

export const deleteSuppressionHandler: RouteHandler<typeof deleteSuppression, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const result = await c.env.DB.prepare("DELETE FROM suppressions WHERE address = ?1")
    .bind(address.toLowerCase())
    .run();
  if ((result.meta.changes ?? 0) === 0) throw notFound(`suppression ${address}`);
  return c.json({ deleted: true as const }, 200);
};
