import { z } from "@hono/zod-openapi";
import { MAX_PASSWORD_LENGTH } from "../../credentials/password";
import { PageQuery, pageSchema } from "../pagination";
import { apiRoute, json } from "../route";
import { Deleted, EmailAddress, Timestamp, UserName } from "../schemas";

/** NIST SP 800-63B section 5.1.1.2: at least 8 characters for a chosen secret. */
export const MIN_PASSWORD_LENGTH = 8;
/** A person's real addresses; more than this is not a person. */
export const MAX_MAILBOXES = 20;

export const Password = z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH);
export const Mailboxes = z.array(EmailAddress).max(MAX_MAILBOXES);

export const User = z
  .object({
    name: z.string().openapi({ example: "din" }),
    is_admin: z.boolean(),
    has_password: z.boolean(),
    mailboxes: z.array(z.string()).openapi({ description: "The user's real addresses" }),
    aliases: z.array(z.string()).openapi({ description: "Aliases the user owns (send-as addresses)" }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("User");

const NameParam = z.object({ name: UserName.openapi({ param: { name: "name", in: "path" } }) });

export const listUsers = apiRoute("admin", {
  method: "get",
  path: "/users",
  tags: ["users"],
  summary: "List users",
  request: { query: PageQuery },
  responses: { 200: json(pageSchema(User, "UserPage"), "A page of users, by name") },
});

export const createUser = apiRoute("admin", {
  method: "post",
  path: "/users",
  tags: ["users"],
  summary: "Create a user (the password is stored as a PBKDF2 hash)",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            name: UserName,
            password: Password.nullable().default(null),
            mailboxes: Mailboxes.default([]),
            is_admin: z.boolean().default(false),
          }),
        },
      },
    },
  },
  responses: { 201: json(User, "Created"), 409: json(z.any(), "The user exists") },
});

export const getUser = apiRoute("admin", {
  method: "get",
  path: "/users/{name}",
  tags: ["users"],
  summary: "One user",
  request: { params: NameParam },
  responses: { 200: json(User, "The user") },
});

export const updateUser = apiRoute("admin", {
  method: "patch",
  path: "/users/{name}",
  tags: ["users"],
  summary: "Change password, mailboxes or admin flag",
  request: {
    params: NameParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            password: Password.nullable().optional(),
            mailboxes: Mailboxes.optional(),
            is_admin: z.boolean().optional(),
          }),
        },
      },
    },
  },
  responses: { 200: json(User, "The updated user") },
});

export const deleteUser = apiRoute("admin", {
  method: "delete",
  path: "/users/{name}",
  tags: ["users"],
  summary: "Remove a user (refused while aliases deliver to the user's mailboxes)",
  request: { params: NameParam },
  responses: { 200: json(Deleted, "Deleted"), 409: json(z.any(), "Aliases still deliver to this user") },
});
