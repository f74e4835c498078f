import type { RouteHandler } from "@hono/zod-openapi";
import { hashPassword } from "../../auth/password";
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
  if (!(await deleteUserRow(c.env.DB, name))) throw notFound(`user ${name}`);
  return c.json({ deleted: true as const }, 200);
};
