import type { RouteHandler } from "@hono/zod-openapi";
import { hashPassword } from "../../credentials/password";
import { listOwnerDeliveredAliases } from "../../store/aliases";
import { deleteUser, findUserByName, insertUser, listUsers, type User, updateUser } from "../../store/users";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { conflict, notFound } from "../problem";
import { isoRequired } from "../schemas";
import type {
  createUser,
  deleteUser as deleteUserRoute,
  getUser,
  listUsers as listUsersRoute,
  updateUser as updateUserRoute,
} from "./routes";

export function userBody(user: User) {
  return {
    name: user.name,
    is_admin: user.isAdmin,
    has_password: user.passwordHash !== null,
    mailboxes: user.mailboxes,
    aliases: user.aliases,
    created_at: isoRequired(user.createdAt),
    updated_at: isoRequired(user.updatedAt),
  };
}

export const listUsersHandler: RouteHandler<typeof listUsersRoute, ApiEnv> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const page = await listUsers(c.env.DB, { after: decodeCursor(cursor), limit });
  return c.json(pageBody(page, userBody), 200);
};

export const createUserHandler: RouteHandler<typeof createUser, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  if (await findUserByName(c.env.DB, body.name)) throw conflict(`user ${body.name} already exists`);
  const passwordHash = body.password === null ? null : await hashPassword(body.password);
  await c.env.DB.batch(
    insertUser(c.env.DB, {
      name: body.name,
      passwordHash,
      isAdmin: body.is_admin,
      mailboxes: body.mailboxes,
    }),
  );
  const user = await findUserByName(c.env.DB, body.name);
  if (!user) throw notFound(`user ${body.name}`);
  return c.json(userBody(user), 201);
};

export const getUserHandler: RouteHandler<typeof getUser, ApiEnv> = async (c) => {
  const { name } = c.req.valid("param");
  const user = await findUserByName(c.env.DB, name);
  if (!user) throw notFound(`user ${name}`);
  return c.json(userBody(user), 200);
};

export const updateUserHandler: RouteHandler<typeof updateUserRoute, ApiEnv> = async (c) => {
  const { name } = c.req.valid("param");
  const body = c.req.valid("json");
  if (!(await findUserByName(c.env.DB, name))) throw notFound(`user ${name}`);
  const passwordHash =
    body.password === undefined ? undefined : body.password === null ? null : await hashPassword(body.password);
  await c.env.DB.batch(updateUser(c.env.DB, name, { passwordHash, isAdmin: body.is_admin, mailboxes: body.mailboxes }));
  const user = await findUserByName(c.env.DB, name);
  if (!user) throw notFound(`user ${name}`);
  return c.json(userBody(user), 200);
};

export const deleteUserHandler: RouteHandler<typeof deleteUserRoute, ApiEnv> = async (c) => {
  const { name } = c.req.valid("param");
  // Aliases without destinations deliver to their owner's mailboxes: deleting the owner would
  // leave them delivering nowhere, so they must be given destinations or deleted first.
  const delivered = await listOwnerDeliveredAliases(c.env.DB, name, 10);
  if (delivered.length > 0) {
    throw conflict(
      `${name}'s mailboxes receive ${delivered.join(", ")}; give those aliases destinations or delete them first`,
    );
  }
  if (!(await deleteUser(c.env.DB, name))) throw notFound(`user ${name}`);
  return c.json({ deleted: true as const }, 200);
};
