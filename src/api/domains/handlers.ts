import type { RouteHandler } from "@hono/zod-openapi";
import { parseRelayUrl, RelayConfigError } from "../../deliver/relays/relay-url";
import {
  type Domain,
  deleteDomain,
  findDomainByName,
  insertDomain,
  listDomains,
  updateDomain,
} from "../../store/domains";
import { assertDomainRead, assertDomainWrite, visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { conflict, invalid, notFound } from "../problem";
import { isoRequired } from "../schemas";
import type {
  createDomain,
  deleteDomain as deleteDomainRoute,
  getDomain,
  listDomains as listDomainsRoute,
  updateDomain as updateDomainRoute,
} from "./routes";

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

export function domainBody(domain: Domain) {
  return {
    name: domain.name,
    enabled: domain.enabled,
    catch_all: domain.catchAll,
    relay_url: maskRelayUrl(domain.relayUrl),
    created_at: isoRequired(domain.createdAt),
    updated_at: isoRequired(domain.updatedAt),
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

export const listDomainsHandler: RouteHandler<typeof listDomainsRoute, ApiEnv> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const page = await listDomains(c.env.DB, {
    after: decodeCursor(cursor),
    only: visibleDomains(c.get("access")),
    limit,
  });
  return c.json(pageBody(page, domainBody), 200);
};

export const createDomainHandler: RouteHandler<typeof createDomain, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  checkRelayUrl(body.relay_url);
  if (await findDomainByName(c.env.DB, body.name)) throw conflict(`domain ${body.name} already exists`);
  await insertDomain(c.env.DB, {
    name: body.name,
    enabled: body.enabled,
    catchAll: body.catch_all,
    relayUrl: body.relay_url,
  }).run();
  const row = await findDomainByName(c.env.DB, body.name);
  if (!row) throw notFound(`domain ${body.name}`);
  return c.json(domainBody(row), 201);
};

export const getDomainHandler: RouteHandler<typeof getDomain, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  assertDomainRead(c.get("access"), domain);
  const row = await findDomainByName(c.env.DB, domain);
  if (!row) throw notFound(`domain ${domain}`);
  return c.json(domainBody(row), 200);
};

export const updateDomainHandler: RouteHandler<typeof updateDomainRoute, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domain);
  checkRelayUrl(body.relay_url);
  const row = await updateDomain(c.env.DB, domain, {
    enabled: body.enabled,
    catchAll: body.catch_all,
    relayUrl: body.relay_url,
  });
  if (!row) throw notFound(`domain ${domain}`);
  return c.json(domainBody(row), 200);
};

export const deleteDomainHandler: RouteHandler<typeof deleteDomainRoute, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  if (!(await deleteDomain(c.env.DB, domain))) throw notFound(`domain ${domain}`);
  return c.json({ deleted: true as const }, 200);
};
