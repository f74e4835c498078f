/**
 * Users (the PTT/Elit users database: name, password, real addresses) with their mailboxes
 * (store/mailboxes.ts) and the aliases they own.
 */
import { readJsonList } from "./json-column";
import { replaceMailboxes } from "./mailboxes";
import { type Page, type PageRequest, pageOf } from "./pagination";
import { flag, updateStatement } from "./partial-update";

export interface User {
  name: string;
  passwordHash: string | null;
  isAdmin: boolean;
  /** The user's real addresses, in position order. */
  mailboxes: string[];
  /** Addresses of the aliases the user owns, by lookup. */
  aliases: string[];
  createdAt: number;
  updatedAt: number;
}

interface UserRow {
  name: string;
  password_hash: string | null;
  is_admin: number;
  created_at: number;
  updated_at: number;
  mailboxes: string;
  aliases: string;
}

function rowToUser(row: UserRow): User {
  return {
    name: row.name,
    passwordHash: row.password_hash,
    isAdmin: row.is_admin === 1,
    mailboxes: readJsonList(row.mailboxes) ?? [],
    aliases: readJsonList(row.aliases) ?? [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const SELECT_USER = `SELECT u.*,
  (SELECT json_group_array(address) FROM (SELECT address FROM user_mailboxes WHERE user_name = u.name ORDER BY position)) AS mailboxes,
  (SELECT json_group_array(address) FROM (SELECT address FROM aliases WHERE owner = u.name ORDER BY lookup)) AS aliases
  FROM users u`;

export async function findUserByName(db: D1Database, name: string): Promise<User | null> {
  const row = await db.prepare(`${SELECT_USER} WHERE u.name = ?1`).bind(name).first<UserRow>();
  return row ? rowToUser(row) : null;
}

export async function userExists(db: D1Database, name: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 AS found FROM users WHERE name = ?1").bind(name).first()) !== null;
}

export interface UserCredentials {
  name: string;
  passwordHash: string | null;
  isAdmin: boolean;
}

/** What HTTP Basic authentication needs, without the mailbox and alias subqueries. */
export async function findUserCredentials(db: D1Database, name: string): Promise<UserCredentials | null> {
  const row = await db
    .prepare("SELECT name, password_hash, is_admin FROM users WHERE name = ?1")
    .bind(name)
    .first<{ name: string; password_hash: string | null; is_admin: number }>();
  return row ? { name: row.name, passwordHash: row.password_hash, isAdmin: row.is_admin === 1 } : null;
}

/** Users by name; the page key is the name. */
export async function listUsers(db: D1Database, request: PageRequest): Promise<Page<User>> {
  const { results } = await db
    .prepare(`${SELECT_USER} WHERE (?1 IS NULL OR u.name > ?1) ORDER BY u.name LIMIT ?2`)
    .bind(request.after ?? null, request.limit + 1)
    .all<UserRow>();
  return pageOf(results.map(rowToUser), request.limit, (user) => user.name);
}

export interface NewUser {
  name: string;
  passwordHash: string | null;
  isAdmin: boolean;
  mailboxes: string[];
}

/** The statements that create a user and their mailboxes: run them in one batch. */
export function insertUser(db: D1Database, user: NewUser, now = Date.now()): D1PreparedStatement[] {
  return [
    db
      .prepare("INSERT INTO users (name, password_hash, is_admin, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)")
      .bind(user.name, user.passwordHash, user.isAdmin ? 1 : 0, now),
    ...replaceMailboxes(db, user.name, user.mailboxes),
  ];
}

export interface UserChanges {
  passwordHash?: string | null;
  isAdmin?: boolean;
  mailboxes?: string[];
}

/** The statements that change the given fields: run them in one batch. */
export function updateUser(
  db: D1Database,
  name: string,
  changes: UserChanges,
  now = Date.now(),
): D1PreparedStatement[] {
  return [
    updateStatement(
      db,
      "users",
      { password_hash: changes.passwordHash, is_admin: flag(changes.isAdmin), updated_at: now },
      { name },
    ),
    ...(changes.mailboxes ? replaceMailboxes(db, name, changes.mailboxes) : []),
  ];
}

export async function deleteUser(db: D1Database, name: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM users WHERE name = ?1").bind(name).run();
  return (result.meta.changes ?? 0) > 0;
}
