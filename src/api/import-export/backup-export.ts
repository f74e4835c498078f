/**
 * The full backup, streamed as NDJSON (one JSON value per line): a header line, one line per row
 * of every table in BACKUP_TABLES (in restore order, each in key order), and an `end` line with
 * the counts, so that a restore can tell a complete backup from a truncated one. Tables are read
 * in pages, so the Worker never holds a large instance in memory. R2 objects named by a row (held
 * posts) travel inline as base64, or as links to GET /api/v1/export/object?key=.
 */
import { toBase64 } from "../../credentials/encoding";
import {
  BACKUP_TABLES,
  type BackupRow,
  type BackupTable,
  type BackupValue,
  readBackupPage,
} from "../../store/backup-tables";

export const BACKUP_FORMAT = "facteur-backup";
export const BACKUP_VERSION = 2;
const PAGE = 500;

export interface BackupOptions {
  /** Password hashes, relay URLs and API token hashes. */
  credentials: boolean;
  /** DKIM private keys, still encrypted under KEY_ENCRYPTION_KEY. */
  dkimKeys: boolean;
  objects: "inline" | "links";
}

export interface BackupObject {
  key: string;
  base64?: string;
  url?: string;
  missing?: true;
}

export interface BackupLine {
  type: "row";
  table: string;
  row: BackupRow;
  object?: BackupObject;
}

export function objectLink(key: string): string {
  return `/api/v1/export/object?key=${encodeURIComponent(key)}`;
}

function included(table: BackupTable, options: BackupOptions): boolean {
  if (table.secret === "credentials") return options.credentials;
  if (table.secret === "dkim_keys") return options.dkimKeys;
  return true;
}

function withoutSecrets(table: BackupTable, row: BackupRow, options: BackupOptions): BackupRow {
  if (options.credentials || !table.secretColumns) return row;
  const copy = { ...row };
  for (const column of table.secretColumns) delete copy[column];
  return copy;
}

async function objectOf(bucket: R2Bucket, key: string, options: BackupOptions): Promise<BackupObject> {
  if (options.objects === "links") return { key, url: objectLink(key) };
  const object = await bucket.get(key);
  if (!object) return { key, missing: true };
  return { key, base64: toBase64(await object.arrayBuffer()) };
}

/** Every row of every included table, page by page. */
async function* backupLines(db: D1Database, bucket: R2Bucket, options: BackupOptions): AsyncGenerator<BackupLine> {
  for (const table of BACKUP_TABLES) {
    if (!included(table, options)) continue;
    let after: BackupValue[] | null = null;
    for (;;) {
      const rows = await readBackupPage(db, table, after, PAGE);
      for (const row of rows) {
        const line: BackupLine = { type: "row", table: table.name, row: withoutSecrets(table, row, options) };
        const key = table.object ? row[table.object] : null;
        if (typeof key === "string") line.object = await objectOf(bucket, key, options);
        yield line;
      }
      const last = rows.at(-1);
      if (rows.length < PAGE || !last) break;
      after = table.key.map((column) => last[column] ?? null);
    }
  }
}

export function streamBackup(db: D1Database, bucket: R2Bucket, options: BackupOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const rows: Record<string, number> = {};
  let objects = 0;
  let lines: AsyncGenerator<BackupLine> | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const write = (value: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
      if (!lines) {
        lines = backupLines(db, bucket, options);
        write({
          type: BACKUP_FORMAT,
          version: BACKUP_VERSION,
          exported_at: new Date().toISOString(),
          options: { credentials: options.credentials, dkim_keys: options.dkimKeys, objects: options.objects },
          tables: BACKUP_TABLES.filter((table) => included(table, options)).map((table) => table.name),
        });
        return;
      }
      const next = await lines.next();
      if (next.done) {
        write({ type: "end", rows, objects });
        controller.close();
        return;
      }
      rows[next.value.table] = (rows[next.value.table] ?? 0) + 1;
      if (next.value.object && !next.value.object.missing) objects++;
      write(next.value);
    },
  });
}
