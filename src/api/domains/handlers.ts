import type { RouteHandler } from "@hono/zod-openapi";
import { parseRelayUrl, RelayConfigError } from "../../deliver/relays/relay-url";
import { insertDomain } from "../../store/domains";
import { assertDomainRead, assertDomainWrite, visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, page } from "../pagination";
import { conflict, invalid, notFound } from "../problem";
import { isoRequired, jsonList } from "../schemas";
import { type DomainRow, deleteDomainRow, findDomain, listDomainRows, updateDomainRow } from "./queries";
import type { createDomain, deleteDomain, getDomain, listDomains, updateDomain } from "./routes";

/** The relay URL without its password: read tokens must not learn relay credentials. */
export function maskRelayUrl(value: string | null): string | null {
  if (value === null) return null;
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    if (url.protocol === "mailgun:" && url.username) url.username = "***";
    return url.toString();
  } catch {
    return "***";
  }
}

export function domainBody(row: DomainRow) {
  return {
    name: row.name,
    enabled: row.enabled === 1,
    catch_all: jsonList(row.catch_all),
    relay_url: maskRelayUrl(row.relay_url),
    created_at: isoRequired(row.created_at),
    updated_at: isoRequired(row.updated_at),
  };
}

/** parseRelayUrl says exactly what is wrong; the problem names the field. */
function checkRelayUrl(value: string | null | undefined): void {
  if (value === null || value === undefined) return;
  try {
    parseRelayUrl(value);
  } catch (error) {
    if (error instanceof RelayConfigError) throw invalid("relay_url", error.message);
    throw error;
  }
}

export const listDomainsHandler: RouteHandler<typeof listDomains, ApiEnv> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const rows = await listDomainRows(c.env.DB, {
    after: decodeCursor(cursor),
    only: visibleDomains(c.get("access")),
    limit: limit + 1,
  });
  const result = page(rows, limit, (row) => row.name);
  return c.json({ items: result.items.map(domainBody), next_cursor: result.next_cursor }, 200);
};

export const createDomainHandler: RouteHandler<typeof createDomain, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  checkRelayUrl(body.relay_url);
  if (await findDomain(c.env.DB, body.name)) throw conflict(`domain ${body.name} already exists`);
  await insertDomain(c.env.DB, {
    name: body.name,
    enabled: body.enabled,
    catchAll: body.catch_all,
    relayUrl: body.relay_url,
  }).run();
  const row = await findDomain(c.env.DB, body.name);
  if (!row) throw notFound(`domain ${body.name}`);
  return c.json(domainBody(row), 201);
};

export const getDomainHandler: RouteHandler<typeof getDomain, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  assertDomainRead(c.get("access"), domain);
  const row = await findDomain(c.env.DB, domain);
  if (!row) throw notFound(`domain ${domain}`);
  return c.json(domainBody(row), 200);
};

export const updateDomainHandler: RouteHandler<typeof updateDomain, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domain);
  checkRelayUrl(body.relay_url);
  const row = await updateDomainRow(c.env.DB, domain, {
    enabled: body.enabled,
    catchAll: body.catch_all,
    relayUrl: body.relay_url,
  });
  if (!row) throw notFound(`domain ${domain}`);
  return c.json(domainBody(row), 200);
};

export const deleteDomainHandler: RouteHandler<typeof deleteDomain, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  if (!(await deleteDomainRow(c.env.DB, domain))) throw notFound(`domain ${domain}`);
  return c.json({ deleted: true as const }, 200);
};
