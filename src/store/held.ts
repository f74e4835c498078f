/** The `held_messages` table: posts held for moderation (the raw post is in R2 under `heldKey(id)`). */
import { type Page, type PageRequest, pageOf } from "./pagination";

/** What the transform pipeline needs from the arrival-time authentication when the post is approved. */
export interface HeldAuth {
  header: string;
  arc: { result: string; comment: string; instance: number };
  dmarc: { result: string; comment: string; policy?: string; domain?: string };
  authenticated: boolean;
}

export interface HeldMessage {
  id: string;
  listAddress: string;
  r2Key: string;
  rule: string;
  reason: string;
  author: string | null;
  mailFrom: string;
  subject: string | null;
  size: number;
  authenticated: boolean;
  auth: HeldAuth;
  token: string;
  createdAt: number;
  expiresAt: number;
}

interface HeldRow {
  id: string;
  list_address: string;
  r2_key: string;
  rule: string;
  reason: string;
  author: string | null;
  mail_from: string;
  subject: string | null;
  size: number;
  authenticated: number;
  auth: string;
  token: string;
  created_at: number;
  expires_at: number;
}

function rowToHeld(row: HeldRow): HeldMessage {
  return {
    id: row.id,
    listAddress: row.list_address,
    r2Key: row.r2_key,
    rule: row.rule,
    reason: row.reason,
    author: row.author,
    mailFrom: row.mail_from,
    subject: row.subject,
    size: row.size,
    authenticated: row.authenticated === 1,
    auth: JSON.parse(row.auth) as HeldAuth,
    token: row.token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function heldKey(id: string): string {
  return `held/${id}.eml`;
}

export function insertHeld(db: D1Database, held: HeldMessage): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO held_messages (id, list_address, r2_key, rule, reason, author, mail_from, subject, size,
         authenticated, auth, token, created_at, expires_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
       ON CONFLICT (id) DO NOTHING`,
    )
    .bind(
      held.id,
      held.listAddress,
      held.r2Key,
      held.rule,
      held.reason,
      held.author,
      held.mailFrom,
      held.subject,
      held.size,
      held.authenticated ? 1 : 0,
      JSON.stringify(held.auth),
      held.token,
      held.createdAt,
      held.expiresAt,
    );
}

export async function findHeldById(db: D1Database, id: string): Promise<HeldMessage | null> {
  const row = await db.prepare("SELECT * FROM held_messages WHERE id = ?").bind(id).first<HeldRow>();
  return row ? rowToHeld(row) : null;
}

export async function findHeldByToken(db: D1Database, token: string): Promise<HeldMessage | null> {
  const row = await db.prepare("SELECT * FROM held_messages WHERE token = ?").bind(token).first<HeldRow>();
  return row ? rowToHeld(row) : null;
}

/** Removes the row; returns false when another moderator already acted on it. */
export async function deleteHeld(db: D1Database, id: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM held_messages WHERE id = ?").bind(id).run();
  return result.meta.changes > 0;
}

/** A list's held posts, oldest first (ids sort by creation); the page key is the id. */
export async function listHeld(db: D1Database, listAddress: string, request: PageRequest): Promise<Page<HeldMessage>> {
  const { results } = await db
    .prepare(`SELECT * FROM held_messages WHERE list_address = ?1 AND (?2 IS NULL OR id > ?2) ORDER BY id LIMIT ?3`)
    .bind(listAddress, request.after ?? null, request.limit + 1)
    .all<HeldRow>();
  return pageOf(results.map(rowToHeld), request.limit, (held) => held.id);
}

export async function findExpiredHeld(db: D1Database, now: number, limit: number): Promise<HeldMessage[]> {
  const { results } = await db
    .prepare("SELECT * FROM held_messages WHERE expires_at <= ? ORDER BY expires_at LIMIT ?")
    .bind(now, limit)
    .all<HeldRow>();
  return results.map(rowToHeld);
}

/** Bytes of the bodies a list holds (the held-storage cap, lists/held-storage.ts). */
export async function sumHeldBytes(db: D1Database, listAddress: string): Promise<number> {
  const row = await db
    .prepare("SELECT coalesce(sum(size), 0) AS bytes FROM held_messages WHERE list_address = ?1")
    .bind(listAddress)
    .first<{ bytes: number }>();
  return row?.bytes ?? 0;
}
