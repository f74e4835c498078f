/** The inbound message log: one row per message and recipient, whatever the decision. */
import type { LoggedDecision } from "../core/logged-decision";
import { readJsonList } from "./json-column";
import { type Page, type PageRequest, pageOf } from "./pagination";

/** One authentication check as logged: its result and comment (authenticate/ gives more). */
export interface LoggedCheck {
  result: string;
  comment: string;
}

export interface MessageLogEntry {
  id: string;
  receivedAt: number;
  mailFrom: string;
  rcptTo: string;
  domain: string | null;
  messageId: string | null;
  subject: string | null;
  fromHeader: string | null;
  size: number;
  auth: { dkim: LoggedCheck; spf: LoggedCheck; arc: LoggedCheck; dmarc: LoggedCheck } | null;
  decision: LoggedDecision;
  rule: string | null;
  smtpReply: string | null;
  reason: string | null;
  destinations: string[];
}

/** D1 rows are capped at 2 MB; subjects and headers from the internet are not to be trusted. */
const MAX_TEXT = 998;

function clip(value: string | null): string | null {
  return value === null ? null : value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
}

function authJson(auth: MessageLogEntry["auth"]): string | null {
  if (!auth) return null;
  const brief = (c: { result: string; comment: string }) => ({ result: c.result, comment: clip(c.comment) });
  return JSON.stringify({
    dkim: brief(auth.dkim),
    spf: brief(auth.spf),
    arc: brief(auth.arc),
    dmarc: brief(auth.dmarc),
  });
}

export function insertMessageLog(db: D1Database, entry: MessageLogEntry): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO messages (id, received_at, mail_from, rcpt_to, domain, message_id, subject, from_header, size, auth,
                             decision, rule, smtp_reply, reason, destinations)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)`,
    )
    .bind(
      entry.id,
      entry.receivedAt,
      clip(entry.mailFrom) ?? "",
      clip(entry.rcptTo) ?? "",
      entry.domain,
      clip(entry.messageId),
      clip(entry.subject),
      clip(entry.fromHeader),
      entry.size,
      authJson(entry.auth),
      entry.decision,
      entry.rule,
      entry.smtpReply,
      clip(entry.reason),
      JSON.stringify(entry.destinations.slice(0, 100)),
    );
}

interface MessageRow {
  id: string;
  received_at: number;
  mail_from: string;
  rcpt_to: string;
  domain: string | null;
  message_id: string | null;
  subject: string | null;
  from_header: string | null;
  size: number;
  auth: string | null;
  decision: string;
  rule: string | null;
  smtp_reply: string | null;
  reason: string | null;
  destinations: string | null;
}

/** A logged message as read back: `auth` is the stored summary, null when absent or unreadable. */
export type LoggedMessage = Omit<MessageLogEntry, "auth" | "decision"> & {
  auth: Record<string, { result: string; comment?: string | null }> | null;
  decision: string;
};

function readAuth(value: string | null): LoggedMessage["auth"] {
  if (value === null) return null;
  try {
    return JSON.parse(value) as LoggedMessage["auth"];
  } catch {
    return null;
  }
}

function rowToMessage(row: MessageRow): LoggedMessage {
  return {
    id: row.id,
    receivedAt: row.received_at,
    mailFrom: row.mail_from,
    rcptTo: row.rcpt_to,
    domain: row.domain,
    messageId: row.message_id,
    subject: row.subject,
    fromHeader: row.from_header,
    size: row.size,
    auth: readAuth(row.auth),
    decision: row.decision,
    rule: row.rule,
    smtpReply: row.smtp_reply,
    reason: row.reason,
    destinations: readJsonList(row.destinations) ?? [],
  };
}

export interface MessageFilter extends PageRequest {
  rcpt?: string;
  decision?: string;
  /** Substring, case-insensitive, of the subject, From header, envelope sender or recipient. */
  q?: string;
  /** received_at bounds, ms epoch: since inclusive, until exclusive. */
  since?: number;
  until?: number;
  /** Restrict to these recipient domains (domain-scoped API tokens). */
  domains?: string[];
}

/**
 * Newest first. Ids sort by creation (core/ids.ts, monotonic within an isolate), so the page key
 * is the id and `after` continues below it; every filter but `q` has an index ending in id (`q`
 * scans the log, which retention keeps to LOG_RETENTION_DAYS).
 */
export async function listMessages(db: D1Database, filter: MessageFilter): Promise<Page<LoggedMessage>> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.rcpt) {
    params.push(filter.rcpt.toLowerCase());
    where.push(`lower(rcpt_to) = ?${params.length}`);
  }
  if (filter.decision) {
    params.push(filter.decision);
    where.push(`decision = ?${params.length}`);
  }
  if (filter.q) {
    // LIKE with ESCAPE: the operator's % and _ are literal characters, not wildcards.
    params.push(`%${filter.q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
    const p = `?${params.length}`;
    where.push(
      `(lower(coalesce(subject, '')) LIKE ${p} ESCAPE '\\' OR lower(coalesce(from_header, '')) LIKE ${p} ESCAPE '\\'` +
        ` OR lower(mail_from) LIKE ${p} ESCAPE '\\' OR lower(rcpt_to) LIKE ${p} ESCAPE '\\')`,
    );
  }
  if (filter.since !== undefined) {
    params.push(filter.since);
    where.push(`received_at >= ?${params.length}`);
  }
  if (filter.until !== undefined) {
    params.push(filter.until);
    where.push(`received_at < ?${params.length}`);
  }
  if (filter.domains) {
    const marks = filter.domains.map((d) => {
      params.push(d);
      return `?${params.length}`;
    });
    where.push(marks.length ? `domain IN (${marks.join(", ")})` : "0");
  }
  if (filter.after) {
    params.push(filter.after);
    where.push(`id < ?${params.length}`);
  }
  params.push(filter.limit + 1);
  const sql = `SELECT * FROM messages ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?${params.length}`;
  const { results } = await db
    .prepare(sql)
    .bind(...params)
    .all<MessageRow>();
  return pageOf(results.map(rowToMessage), filter.limit, (message) => message.id);
}

/** One log entry by id, or null. */
export async function findMessage(db: D1Database, id: string): Promise<LoggedMessage | null> {
  const row = await db.prepare("SELECT * FROM messages WHERE id = ?1").bind(id).first<MessageRow>();
  return row ? rowToMessage(row) : null;
}

/** Deletes up to `limit` log rows received before `cutoff` (the retention sweep); returns the count. */
export async function deleteMessagesReceivedBefore(db: D1Database, cutoff: number, limit: number): Promise<number> {
  const result = await db
    .prepare("DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE received_at < ?1 LIMIT ?2)")
    .bind(cutoff, limit)
    .run();
  return result.meta.changes ?? 0;
}

/** One inbound log row by id ("block this sender" reads its recipient and From), or null. */
export async function findLoggedMessage(db: D1Database, id: string): Promise<LoggedMessage | null> {
  const row = await db.prepare("SELECT * FROM messages WHERE id = ?1").bind(id).first<MessageRow>();
  return row ? rowToMessage(row) : null;
}
