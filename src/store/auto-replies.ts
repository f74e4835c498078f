/** `auto_replies` (per-alias vacation settings) and `auto_reply_senders` (who was answered when). */

export interface AutoReply {
  alias: string;
  domain: string;
  enabled: boolean;
  subject: string;
  body: string;
  startsAt: number | null;
  endsAt: number | null;
  intervalDays: number;
  createdAt: number;
  updatedAt: number;
}

interface AutoReplyRow {
  alias: string;
  domain: string;
  enabled: number;
  subject: string;
  body: string;
  starts_at: number | null;
  ends_at: number | null;
  interval_days: number;
  created_at: number;
  updated_at: number;
}

function rowToAutoReply(row: AutoReplyRow): AutoReply {
  return {
    alias: row.alias,
    domain: row.domain,
    enabled: row.enabled === 1,
    subject: row.subject,
    body: row.body,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    intervalDays: row.interval_days,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type AutoReplySettings = Omit<AutoReply, "createdAt" | "updatedAt">;

export function upsertAutoReply(db: D1Database, settings: AutoReplySettings, now = Date.now()): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO auto_replies (alias, domain, enabled, subject, body, starts_at, ends_at, interval_days, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
       ON CONFLICT (alias) DO UPDATE SET enabled = ?3, subject = ?4, body = ?5, starts_at = ?6, ends_at = ?7,
         interval_days = ?8, updated_at = ?9`,
    )
    .bind(
      settings.alias,
      settings.domain,
      settings.enabled ? 1 : 0,
      settings.subject,
      settings.body,
      settings.startsAt,
      settings.endsAt,
      settings.intervalDays,
      now,
    );
}

export async function findAutoReply(db: D1Database, aliasLookup: string): Promise<AutoReply | null> {
  const row = await db.prepare("SELECT * FROM auto_replies WHERE alias = ?1").bind(aliasLookup).first<AutoReplyRow>();
  return row ? rowToAutoReply(row) : null;
}

export async function deleteAutoReply(db: D1Database, aliasLookup: string): Promise<boolean> {
  const result = await db.prepare("DELETE FROM auto_replies WHERE alias = ?1").bind(aliasLookup).run();
  return (result.meta.changes ?? 0) > 0;
}

/**
 * Records that `sender` is answered now, unless they were answered less than `intervalMs` ago.
 * One statement, so two messages from the same sender arriving together get one reply.
 * Returns true when this message may be answered.
 */
export async function claimAutoReply(
  db: D1Database,
  aliasLookup: string,
  sender: string,
  now: number,
  intervalMs: number,
): Promise<boolean> {
  const row = await db
    .prepare(
      `INSERT INTO auto_reply_senders (alias, sender, last_sent_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (alias, sender) DO UPDATE SET last_sent_at = ?3 WHERE last_sent_at <= ?4
       RETURNING last_sent_at`,
    )
    .bind(aliasLookup, sender.toLowerCase(), now, now - intervalMs)
    .first<{ last_sent_at: number }>();
  return row !== null;
}
