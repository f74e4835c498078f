/**
 * The tables a backup carries, and the only SQL of backup and restore. Rows travel as stored
 * (`SELECT *`, column names and values untouched, JSON columns as their text), so a restore writes
 * back exactly what was read, and a column another migration adds is carried without a change here.
 * Operational history (the inbound log, deliveries, the outbox, throttles, send counts) is not
 * part of an instance's state and is left out.
 *
 * Tables added since the backup was first written (migrations 0009-0017), decided one by one:
 *   in:  webhooks (configuration; with the credentials flag only, because each row's signing
 *        secret is a credential and the row cannot exist without it: a new secret would break
 *        every receiver's verification), auto_replies (configuration), auto_reply_senders (who
 *        was answered when: without it a restored instance answers every recent correspondent
 *        again, which RFC 3834 section 2 asks not to do), dmarc_reports, dmarc_report_rows,
 *        tls_reports, tls_report_policies (received once from the reporters, kept a year for the
 *        health pages, and impossible to fetch again), list_digests (digest numbering, and which
 *        period each list's digest has been sent for), digest_posts (posts waiting for the next
 *        digest, with their R2 copy: lost, members in digest mode would never get them).
 *   out: webhook_deliveries, webhook_attempts (delivery history, like deliveries; their raw
 *        messages expire with them), reply_counts (a day's throttle window, like send_counts),
 *        web_sessions, web_sign_in_links (short-lived credentials: sign in again), delay_warnings
 *        (the once-per-message guard of deliveries, which are not exported either), and
 *        delivery_attempts (0020: each attempt of a delivery, history like deliveries).
 */

export type BackupValue = string | number | null;
export type BackupRow = Record<string, BackupValue>;

export interface BackupTable {
  name: string;
  /** The primary key: export order, keyset pagination, and what a conflict is about. */
  key: readonly string[];
  /** Exported only with an explicit flag and an admin token. */
  secret?: "credentials" | "dkim_keys";
  /** Columns exported only with the credentials flag (hashes, relay URLs with passwords). */
  secretColumns?: readonly string[];
  /** A column naming an R2 object (MAIL bucket) that travels with the row. */
  object?: string;
  /** An FTS5 table: no unique key to upsert on, so a row is replaced (delete, insert). */
  virtual?: true;
}

/** In restore order: every table after the tables its foreign keys point at. */
export const BACKUP_TABLES: readonly BackupTable[] = [
  { name: "domains", key: ["name"], secretColumns: ["relay_url"] },
  { name: "destinations", key: ["address"] },
  { name: "users", key: ["name"], secretColumns: ["password_hash"] },
  { name: "user_mailboxes", key: ["user_name", "address"] },
  { name: "aliases", key: ["address"] },
  // A reverse address must keep working after a restore: the correspondent holds it.
  { name: "contacts", key: ["id"] },
  { name: "dkim_keys", key: ["domain", "selector"], secret: "dkim_keys" },
  { name: "api_tokens", key: ["id"], secret: "credentials" },
  { name: "lists", key: ["address"] },
  { name: "list_members", key: ["list_address", "lookup"] },
  { name: "list_confirmations", key: ["token"] },
  { name: "held_messages", key: ["id"], object: "r2_key" },
  { name: "suppressions", key: ["address"] },
  { name: "list_archive_settings", key: ["list_address"] },
  { name: "archived_posts", key: ["id"], object: "r2_key" },
  { name: "archived_posts_fts", key: ["post_id"], virtual: true },
  { name: "archive_takedowns", key: ["post_id"] },
  { name: "webhooks", key: ["id"], secret: "credentials" },
  { name: "auto_replies", key: ["alias"] },
  { name: "auto_reply_senders", key: ["alias", "sender"] },
  { name: "dmarc_reports", key: ["id"] },
  { name: "dmarc_report_rows", key: ["report_id", "position"] },
  { name: "tls_reports", key: ["id"] },
  { name: "tls_report_policies", key: ["report_id", "position"] },
  { name: "list_digests", key: ["id"] },
  { name: "digest_posts", key: ["list_address", "mode", "post_id"], object: "r2_key" },
];

export function backupTable(name: string): BackupTable | undefined {
  return BACKUP_TABLES.find((table) => table.name === name);
}

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** One page of a table in key order, after the key `after` (null: from the start). */
export async function readBackupPage(
  db: D1Database,
  table: BackupTable,
  after: BackupValue[] | null,
  limit: number,
): Promise<BackupRow[]> {
  const order = table.key.join(", ");
  const where = after ? `WHERE (${order}) > (${placeholders(table.key.length)})` : "";
  const { results } = await db
    .prepare(`SELECT * FROM ${table.name} ${where} ORDER BY ${order} LIMIT ?`)
    .bind(...(after ?? []), limit)
    .all<BackupRow>();
  return results;
}

/** The column names of a table: a restored row may name only these. */
export async function readBackupColumns(db: D1Database, table: BackupTable): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid")
    .bind(table.name)
    .all<{ name: string }>();
  return results.map((row) => row.name);
}

export async function isBackupTableEmpty(db: D1Database, table: BackupTable): Promise<boolean> {
  return (await db.prepare(`SELECT 1 FROM ${table.name} LIMIT 1`).first()) === null;
}

/**
 * Writes one row as given: a new key is inserted, an existing one takes the row's values (columns
 * the row leaves out keep theirs). Column names must come from readBackupColumns.
 */
export function upsertBackupRow(db: D1Database, table: BackupTable, row: BackupRow): D1PreparedStatement[] {
  const columns = Object.keys(row);
  if (table.virtual) {
    const key = table.key.map((column) => `${column} = ?`).join(" AND ");
    return [
      db.prepare(`DELETE FROM ${table.name} WHERE ${key}`).bind(...table.key.map((column) => row[column] ?? null)),
      db
        .prepare(`INSERT INTO ${table.name} (${columns.join(", ")}) VALUES (${placeholders(columns.length)})`)
        .bind(...columns.map((column) => row[column] ?? null)),
    ];
  }
  const updates = columns.filter((column) => !table.key.includes(column));
  const onConflict = updates.length
    ? `DO UPDATE SET ${updates.map((column) => `${column} = excluded.${column}`).join(", ")}`
    : "DO NOTHING";
  return [
    db
      .prepare(
        `INSERT INTO ${table.name} (${columns.join(", ")}) VALUES (${placeholders(columns.length)})
         ON CONFLICT (${table.key.join(", ")}) ${onConflict}`,
      )
      .bind(...columns.map((column) => row[column] ?? null)),
  ];
}
