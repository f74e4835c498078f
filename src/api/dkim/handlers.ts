import type { RouteHandler } from "@hono/zod-openapi";
import { createDkimKey, defaultSelector, dnsRecordsFor } from "../../credentials/dkim-keys";
import { withReportingRecords } from "../../health/records";
import { type DkimKey, deleteDkimKey, listDkimKeys } from "../../store/dkim-keys";
import { findDomainByName } from "../../store/domains";
import { findReportSettings } from "../../store/report-settings";
import { assertDomainRead, assertDomainWrite } from "../access";
import type { ApiEnv } from "../env";
import { conflict, notFound } from "../problem";
import { isoRequired } from "../schemas";
import type { deleteDkim, generateDkim, getDkim } from "./routes";

async function stateBody(db: D1Database, domain: string, keys: DkimKey[]) {
  const signing = keys.find((k) => k.active);
  const settings = await findReportSettings(db, domain);
  const records = dnsRecordsFor(domain, keys);
  return {
    domain,
    keys: keys.map((k) => ({
      selector: k.selector,
      algorithm: k.algorithm,
      public_key: k.publicKey,
      active: k.active,
      signing: k === signing,
      created_at: isoRequired(k.createdAt),
    })),
    records: settings ? await withReportingRecords(records, domain, settings) : records,
  };
}

async function requireDomain(db: D1Database, domain: string): Promise<void> {
  if (!(await findDomainByName(db, domain))) throw notFound(`domain ${domain}`);
}

export const generateDkimHandler: RouteHandler<typeof generateDkim, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  const body = c.req.valid("json");
  assertDomainWrite(c.get("access"), domain);
  await requireDomain(c.env.DB, domain);
  const selector = body.selector ?? defaultSelector();
  const key = await createDkimKey(c.env, { domain, selector, type: body.algorithm ?? "rsa" });
  if (!key) throw conflict(`selector ${selector} already exists for ${domain}; delete it or choose another`);
  return c.json(await stateBody(c.env.DB, domain, await listDkimKeys(c.env.DB, domain)), 201);
};

export const getDkimHandler: RouteHandler<typeof getDkim, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  assertDomainRead(c.get("access"), domain);
  await requireDomain(c.env.DB, domain);
  return c.json(await stateBody(c.env.DB, domain, await listDkimKeys(c.env.DB, domain)), 200);
};

export const deleteDkimHandler: RouteHandler<typeof deleteDkim, ApiEnv> = async (c) => {
  const { domain, selector } = c.req.valid("param");
  assertDomainWrite(c.get("access"), domain);
  if (!(await deleteDkimKey(c.env.DB, domain, selector))) throw notFound(`selector ${selector} of ${domain}`);
  return c.json({ deleted: true as const }, 200);
};
