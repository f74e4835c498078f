/** /api/v1/users: people, their passwords (hashed) and their real mailboxes. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { createUserHandler, deleteUserHandler, getUserHandler, listUsersHandler, updateUserHandler } from "./handlers";
import { createUser, deleteUser, getUser, listUsers, updateUser } from "./routes";

export const users = new OpenAPIHono<ApiEnv>()
  .openapi(listUsers, listUsersHandler)
  .openapi(createUser, createUserHandler)
  .openapi(getUser, getUserHandler)
  .openapi(updateUser, updateUserHandler)
  .openapi(deleteUser, deleteUserHandler);
