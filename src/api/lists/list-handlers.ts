/** /api/v1/lists and /lists/{address}: a list's settings (store/list-settings.ts declares them). */
import type { RouteHandler } from "@hono/zod-openapi";
import { domainOf } from "../../mail/address";
import { MAX_LIST_LOCAL_PART } from "../../mail/minted-address";
import { type ListSettings, settingColumns, settingValues } from "../../store/list-settings";
import {
  deleteList as deleteListRow,
  findListAddressTaken,
  findListByAddress,
  insertList,
  type List,
  listLists as listListRows,
  updateList as updateListRow,
} from "../../store/lists";
import { assertDomainRead, assertDomainWrite, forbidden, visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { ApiProblem, conflict, notFound } from "../problem";
import { isoRequired } from "../schemas";
import type { createList, deleteList, getList, listLists, updateList } from "./routes";

export function listBody(list: List) {
  return {
    address: list.address,
    domain: list.domain,
    ...settingColumns(list),
    created_at: isoRequired(list.createdAt),
    updated_at: isoRequired(list.updatedAt),
  };
}

export async function requireList(db: D1Database, address: string): Promise<List> {
  const list = await findListByAddress(db, address);
  if (!list) throw notFound(`list ${address}`);
  return list;
}

export const listListsHandler: RouteHandler<typeof listLists, ApiEnv> = async (c) => {
  const { limit, cursor, domain } = c.req.valid("query");
  const only = visibleDomains(c.get("access"));
  if (domain && only && !only.includes(domain)) throw forbidden(`this token cannot see domain ${domain}`);
  if (!domain && only && only.length !== 1) {
    // A token for several domains lists one domain at a time (keeps the query simple).
    if (only.length === 0) return c.json({ items: [], next_cursor: null }, 200);
    throw new ApiProblem(400, "bad-request", "give ?domain= (this token covers several domains)");
  }
  const page = await listListRows(c.env.DB, { limit, after: decodeCursor(cursor), domain: domain ?? only?.[0] });
  return c.json(pageBody(page, listBody), 200);
};

export const createListHandler: RouteHandler<typeof createList, ApiEnv> = async (c) => {
  const { address, ...settings } = c.req.valid("json");
  assertDomainWrite(c.get("access"), domainOf(address));
  const local = address.slice(0, address.lastIndexOf("@"));
  if (new TextEncoder().encode(local).byteLength > MAX_LIST_LOCAL_PART) {
    const detail = `the local part may have at most ${MAX_LIST_LOCAL_PART} octets, so that its -confirm+token and -bounces+VERP addresses fit 64`;
    throw new ApiProblem(422, "unprocessable", `address: ${detail}`, {
      errors: [{ field: "address", detail, in: "json" }],
    });
  }
  // A list and an alias cannot share an address: none of the list's addresses may be taken.
  const taken = await findListAddressTaken(c.env.DB, address);
  if (taken) throw conflict(`${taken} is already an alias or a list address`);
  await insertList(c.env.DB, { address, ...settingValues(settings as Partial<ListSettings>) }).run();
  return c.json(listBody(await requireList(c.env.DB, address)), 201);
};

export const getListHandler: RouteHandler<typeof getList, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainRead(c.get("access"), domainOf(address));
  return c.json(listBody(await requireList(c.env.DB, address)), 200);
};

export const updateListHandler: RouteHandler<typeof updateList, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainWrite(c.get("access"), domainOf(address));
  const patch = settingValues(c.req.valid("json") as Partial<ListSettings>);
  if (!(await updateListRow(c.env.DB, address, patch))) throw notFound(`list ${address}`);
  return c.json(listBody(await requireList(c.env.DB, address)), 200);
};

export const deleteListHandler: RouteHandler<typeof deleteList, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  assertDomainWrite(c.get("access"), domainOf(address));
  if (!(await deleteListRow(c.env.DB, address))) throw notFound(`list ${address}`);
  return c.json({ deleted: true as const }, 200);
};
