import type { RouteHandler } from "@hono/zod-openapi";
import { hashPassword } from "../../credentials/password";
import type { ApiEnv } from "../env";
import { decodeCursor, page } from "../pagination";
import { conflict, notFound } from "../problem";
import { isoRequired, jsonList } from "../schemas";
import {
  deleteUserRow,
  findUser,
  insertUserStatements,
  listUserRows,
  type UserRow,
  updateUserStatements,
} from "./queries";
import type { createUser, deleteUser, getUser, listUsers, updateUser } from "./routes";

export function userBody(row: UserRow) {
  return {
    name: row.name,
    is_admin: row.is_admin === 1,
    has_password: row.password_hash !== null,
    mailboxes: jsonList(row.mailboxes) ?? [],
    aliases: jsonList(row.aliases) ?? [],
    created_at: isoRequired(row.created_at),
    updated_at: isoRequired(row.updated_at),
  };
}

export const listUsersHandler: RouteHandler<typeof listUsers, ApiEnv> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const rows = await listUserRows(c.env.DB, { after: decodeCursor(cursor), limit: limit + 1 });
  const result = page(rows, limit, (row) => row.name);
  return c.json({ items: result.items.map(userBody), next_cursor: result.next_cursor }, 200);
};

export const createUserHandler: RouteHandler<typeof createUser, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  if (await findUser(c.env.DB, body.name)) throw conflict(`user ${body.name} already exists`);
  const passwordHash = body.password === null ? null : await hashPassword(body.password);
  await c.env.DB.batch(
    insertUserStatements(c.env.DB, {
      name: body.name,
      passwordHash,
      isAdmin: body.is_admin,
      mailboxes: body.mailboxes,
    }),
  );
  const row = await findUser(c.env.DB, body.name);
  if (!row) throw notFound(`user ${body.name}`);
  return c.json(userBody(row), 201);
};

export const getUserHandler: RouteHandler<typeof getUser, ApiEnv> = async (c) => {
  const { name } = c.req.valid("param");
  const row = await findUser(c.env.DB, name);
  if (!row) throw notFound(`user ${name}`);
  return c.json(userBody(row), 200);
};

export const updateUserHandler: RouteHandler<typeof updateUser, ApiEnv> = async (c) => {
  const { name } = c.req.valid("param");
  const body = c.req.valid("json");
  if (!(await findUser(c.env.DB, name))) throw notFound(`user ${name}`);
  const passwordHash =
    body.password === undefined ? undefined : body.password === null ? null : await hashPassword(body.password);
  await c.env.DB.batch(
    updateUserStatements(c.env.DB, name, { passwordHash, isAdmin: body.is_admin, mailboxes: body.mailboxes }),
  );
  const row = await findUser(c.env.DB, name);
  if (!row) throw notFound(`user ${name}`);
  return c.json(userBody(row), 200);
};

export const deleteUserHandler: RouteHandler<typeof deleteUser, ApiEnv> = async (c) => {
  const { name } = c.req.valid("param");
  // Aliases without destinations deliver to their owner's mailboxes: deleting the owner would
  // leave them delivering nowhere, so they must be given destinations or deleted first.
  const { results } = await c.env.DB.prepare(
    "SELECT address FROM aliases WHERE owner = ?1 AND destinations IS NULL ORDER BY lookup LIMIT 10",
  )
    .bind(name)
    .all<{ address: string }>();
  if (results.length > 0) {
    throw conflict(
      `${name}'s mailboxes receive ${results.map((r) => r.address).join(", ")}; give those aliases destinations or delete them first`,
    );
  }
  if (!(await deleteUserRow(c.env.DB, name))) throw notFound(`user ${name}`);
  return c.json({ deleted: true as const }, 200);
};
