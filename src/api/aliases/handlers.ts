import type { RouteHandler } from "@hono/zod-openapi";
import { domainOf } from "../../mail/address";
import { wildcardPatternProblem } from "../../mail/wildcard";
import {
  type Alias,
  deleteAlias,
  findAliasByAddress,
  insertAlias,
  listAliases,
  updateAlias,
} from "../../store/aliases";
import { findDomainByName } from "../../store/domains";
import { findListOwningAddress } from "../../store/lists";
import { userExists } from "../../store/users";
import { assertDomainRead, assertDomainWrite, forbidden, visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { ApiProblem, conflict, notFound } from "../problem";
import { isoRequired } from "../schemas";
import type {
  createAlias,
  deleteAlias as deleteAliasRoute,
  getAlias,
  listAliases as listAliasesRoute,
  updateAlias as updateAliasRoute,
} from "./routes";

export function aliasBody(alias: Alias) {
  return {
    address: alias.address,
    domain: alias.domain,
    is_pattern: alias.isPattern,
    destinations: alias.destinations,
    owner: alias.owner,
    enabled: alias.enabled,
    description: alias.description,
    created_at: isoRequired(alias.createdAt),
    updated_at: isoRequired(alias.updatedAt),
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

export const listAliasesHandler: RouteHandler<typeof listAliasesRoute, ApiEnv> = async (c) => {
  const { limit, cursor, domain, owner } = c.req.valid("query");
  const only = visibleDomains(c.get("access"));
  if (domain && only && !only.includes(domain)) throw forbidden(`this token cannot see domain ${domain}`);
  const page = await listAliases(c.env.DB, { after: decodeCursor(cursor), domain, owner, domains: only, limit });
  return c.json(pageBody(page, aliasBody), 200);
};

export const createAliasHandler: RouteHandler<typeof createAlias, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  const domain = domainOf(body.address);
  assertDomainWrite(c.get("access"), domain);
  if (!(await findDomainByName(c.env.DB, domain))) {
    throw unprocessable("address", `Facteur does not serve ${domain}; add it with POST /api/v1/domains first`);
  }
  const tooComplex = wildcardPatternProblem(body.address);
  if (tooComplex) throw unprocessable("address", tooComplex);
  checkDeliversSomewhere(body.destinations, body.owner);
  await checkOwner(c.env.DB, body.owner);
  if (await findAliasByAddress(c.env.DB, body.address)) throw conflict(`alias ${body.address} already exists`);
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
  const alias = await findAliasByAddress(c.env.DB, body.address);
  if (!alias) throw notFound(`alias ${body.address}`);
  return c.json(aliasBody(alias), 201);
};

export const getAliasHandler: RouteHandler<typeof getAlias, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainRead(c.get("access"), domainOf(address));
  const alias = await findAliasByAddress(c.env.DB, address);
  if (!alias) throw notFound(`alias ${address}`);
  return c.json(aliasBody(alias), 200);
};

export const updateAliasHandler: RouteHandler<typeof updateAliasRoute, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domainOf(address));
  const current = await findAliasByAddress(c.env.DB, address);
  if (!current) throw notFound(`alias ${address}`);
  await checkOwner(c.env.DB, body.owner);
  checkDeliversSomewhere(
    body.destinations !== undefined ? body.destinations : current.destinations,
    body.owner !== undefined ? body.owner : current.owner,
  );
  const alias = await updateAlias(c.env.DB, address, body);
  if (!alias) throw notFound(`alias ${address}`);
  return c.json(aliasBody(alias), 200);
};

export const deleteAliasHandler: RouteHandler<typeof deleteAliasRoute, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainWrite(c.get("access"), domainOf(address));
  if (!(await deleteAlias(c.env.DB, address))) throw notFound(`alias ${address}`);
  return c.json({ deleted: true as const }, 200);
};
