/**
 * The dev capture relay's outbox: what Facteur would have sent, envelope in D1 (`outbox`), raw
 * bytes in R2 under `outbox/`. Read by `GET /api/v1/outbox` and by tests.
 */
import { newId } from "../core/ids";
import { readJsonList } from "./json-column";
import { type Page, type PageRequest, pageOf } from "./pagination";

export interface OutboxEntry {
  id: string;
  mailFrom: string;
  rcptTo: string[];
  r2Key: string;
  size: number;
  createdAt: number;
  /** The raw message as sent (UTF-8 decoded), when requested. */
  raw?: string;
}

interface OutboxRow {
  id: string;
  mail_from: string;
  rcpt_to: string;
  r2_key: string;
  size: number;
  created_at: number;
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    mailFrom: row.mail_from,
    rcptTo: readJsonList(row.rcpt_to) ?? [],
    r2Key: row.r2_key,
    size: row.size,
    createdAt: row.created_at,
  };
}

/** Stores raw in R2 first, then the row, so a listed entry always has its bytes. */
export async function insertOutbox(
  env: Pick<Env, "DB" | "MAIL">,
  envelope: { mailFrom: string; rcptTo: string[] },
  raw: Uint8Array,
  now: number = Date.now(),
): Promise<OutboxEntry> {
  const id = newId(now);
  const r2Key = `outbox/${id}.eml`;
  await env.MAIL.put(r2Key, raw, { httpMetadata: { contentType: "message/rfc822" } });
  await env.DB.prepare(
    "INSERT INTO outbox (id, mail_from, rcpt_to, r2_key, size, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  )
    .bind(id, envelope.mailFrom, JSON.stringify(envelope.rcptTo), r2Key, raw.byteLength, now)
    .run();
  return { id, mailFrom: envelope.mailFrom, rcptTo: envelope.rcptTo, r2Key, size: raw.byteLength, createdAt: now };
}

export const MAX_OUTBOX_LIMIT = 100;

export interface ListOutboxOptions extends PageRequest {
  /** Include each message's raw text (default true). */
  withRaw?: boolean;
}

/** Newest first (ids sort by creation); the page key is the id. */
export async function listOutbox(
  env: Pick<Env, "DB" | "MAIL">,
  options: ListOutboxOptions,
): Promise<Page<OutboxEntry>> {
  const limit = Math.max(1, Math.min(MAX_OUTBOX_LIMIT, Math.floor(options.limit) || 20));
  const stmt = options.after
    ? env.DB.prepare("SELECT * FROM outbox WHERE id < ?1 ORDER BY id DESC LIMIT ?2").bind(options.after, limit + 1)
    : env.DB.prepare("SELECT * FROM outbox ORDER BY id DESC LIMIT ?1").bind(limit + 1);
  const { results } = await stmt.all<OutboxRow>();
  const page = pageOf(results.map(toEntry), limit, (entry) => entry.id);
  if (options.withRaw !== false) {
    await Promise.all(
      page.rows.map(async (item) => {
        const object = await env.MAIL.get(item.r2Key);
        item.raw = object ? await object.text() : undefined;
      }),
    );
  }
  return page;
}
