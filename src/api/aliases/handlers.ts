import type { RouteHandler } from "@hono/zod-openapi";
import { domainOf } from "../../mail/address";
import { insertAlias } from "../../store/aliases";
import { assertDomainRead, assertDomainWrite, forbidden, visibleDomains } from "../access";
import { findDomain } from "../domains/queries";
import type { ApiEnv } from "../env";
import { decodeCursor, page } from "../pagination";
import { ApiProblem, conflict, notFound } from "../problem";
import { isoRequired, jsonList } from "../schemas";
import {
  type AliasRow,
  deleteAliasRow,
  findAlias,
  findListOwningAddress,
  listAliasRows,
  updateAliasRow,
  userExists,
} from "./queries";
import type { createAlias, deleteAlias, getAlias, listAliases, updateAlias } from "./routes";

export function aliasBody(row: AliasRow) {
  return {
    address: row.address,
    domain: row.domain,
    is_pattern: row.is_pattern === 1,
    destinations: jsonList(row.destinations),
    owner: row.owner,
    enabled: row.enabled === 1,
    description: row.description,
    created_at: isoRequired(row.created_at),
    updated_at: isoRequired(row.updated_at),
  };
}

function unprocessable(field: string, detail: string): ApiProblem {
  return new ApiProblem(422, "unprocessable", `${field}: ${detail}`, { errors: [{ field, detail, in: "json" }] });
}

/** An alias must deliver somewhere: explicit destinations, or an owner whose mailboxes serve. */
function checkDeliversSomewhere(destinations: string[] | null, owner: string | null): void {
  if (destinations === null && owner === null) {
    throw unprocessable("destinations", "give destinations, or an owner whose mailboxes receive the mail");
  }
}

async function checkOwner(db: D1Database, owner: string | null | undefined): Promise<void> {
  if (owner && !(await userExists(db, owner))) throw unprocessable("owner", `no user named ${owner}`);
}

export const listAliasesHandler: RouteHandler<typeof listAliases, ApiEnv> = async (c) => {
  const { limit, cursor, domain, owner } = c.req.valid("query");
  const only = visibleDomains(c.get("access"));
  if (domain && only && !only.includes(domain)) throw forbidden(`this token cannot see domain ${domain}`);
  const rows = await listAliasRows(c.env.DB, { after: decodeCursor(cursor), domain, owner, only, limit: limit + 1 });
  const result = page(rows, limit, (row) => row.lookup);
  return c.json({ items: result.items.map(aliasBody), next_cursor: result.next_cursor }, 200);
};

export const createAliasHandler: RouteHandler<typeof createAlias, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  const domain = domainOf(body.address);
  assertDomainWrite(c.get("access"), domain);
  if (!(await findDomain(c.env.DB, domain))) {
    throw unprocessable("address", `Facteur does not serve ${domain}; add it with POST /api/v1/domains first`);
  }
  checkDeliversSomewhere(body.destinations, body.owner);
  await checkOwner(c.env.DB, body.owner);
  if (await findAlias(c.env.DB, body.address)) throw conflict(`alias ${body.address} already exists`);
  const list = await findListOwningAddress(c.env.DB, body.address);
  if (list) throw conflict(`${body.address} belongs to the mailing list ${list}`);
  await insertAlias(c.env.DB, {
    address: body.address,
    domain,
    destinations: body.destinations,
    owner: body.owner,
    enabled: body.enabled,
    description: body.description,
  }).run();
  const row = await findAlias(c.env.DB, body.address);
  if (!row) throw notFound(`alias ${body.address}`);
  return c.json(aliasBody(row), 201);
};

export const getAliasHandler: RouteHandler<typeof getAlias, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainRead(c.get("access"), domainOf(address));
  const row = await findAlias(c.env.DB, address);
  if (!row) throw notFound(`alias ${address}`);
  return c.json(aliasBody(row), 200);
};

export const updateAliasHandler: RouteHandler<typeof updateAlias, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domainOf(address));
  const current = await findAlias(c.env.DB, address);
  if (!current) throw notFound(`alias ${address}`);
  await checkOwner(c.env.DB, body.owner);
  checkDeliversSomewhere(
    body.destinations !== undefined ? body.destinations : jsonList(current.destinations),
    body.owner !== undefined ? body.owner : current.owner,
  );
  const row = await updateAliasRow(c.env.DB, address, body);
  if (!row) throw notFound(`alias ${address}`);
  return c.json(aliasBody(row), 200);
};

export const deleteAliasHandler: RouteHandler<typeof deleteAlias, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainWrite(c.get("access"), domainOf(address));
  if (!(await deleteAliasRow(c.env.DB, address))) throw notFound(`alias ${address}`);
  return c.json({ deleted: true as const }, 200);
};
