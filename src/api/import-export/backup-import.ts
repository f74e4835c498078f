/**
 * Restore from a backup (backup-export.ts), in two phases. First every line is parsed and checked
 * and compared with what is stored: a row whose key is new is "created", one that is stored with
 * the same values is "unchanged", one stored with other values is a conflict. Only then, and only
 * when nothing is wrong and there is no conflict (or the caller asked to merge, the backup's values
 * winning), is anything written. So a restore into an empty instance writes everything, a second
 * restore of the same backup writes nothing, and a refused restore changes nothing.
 */
import { fromBase64 } from "../../credentials/encoding";
import {
  type BackupRow,
  type BackupTable,
  type BackupValue,
  backupTable,
  isBackupTableEmpty,
  readBackupColumns,
  readBackupPage,
  upsertBackupRow,
} from "../../store/backup-tables";
import { BACKUP_FORMAT, BACKUP_VERSION, type BackupLine } from "./backup-export";

const BATCH = 100;
const PAGE = 1000;

export interface RestoreReport {
  format: typeof BACKUP_FORMAT;
  version: number;
  merge: boolean;
  applied: boolean;
  created: Record<string, number>;
  updated: Record<string, number>;
  unchanged: Record<string, number>;
  objects: { restored: number; missing: number };
  conflicts: { table: string; key: BackupValue[]; fields: string[] }[];
  errors: { line: number; detail: string }[];
}

interface Planned {
  table: BackupTable;
  row: BackupRow;
  object?: BackupLine["object"];
  outcome: "created" | "updated" | "unchanged";
}

const isValue = (value: unknown): value is BackupValue =>
  value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value));

async function* linesOf(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      yield buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
    }
  }
  if (buffer.trim()) yield buffer;
}

/** Stored rows of a table by key, read once per table (nothing to read when it is empty). */
class Stored {
  private readonly tables = new Map<string, Map<string, BackupRow>>();
  private readonly columns = new Map<string, Set<string>>();
  constructor(private readonly db: D1Database) {}

  async columnsOf(table: BackupTable): Promise<Set<string>> {
    let columns = this.columns.get(table.name);
    if (!columns) {
      columns = new Set(await readBackupColumns(this.db, table));
      this.columns.set(table.name, columns);
    }
    return columns;
  }

  async rowsOf(table: BackupTable): Promise<Map<string, BackupRow>> {
    let rows = this.tables.get(table.name);
    if (rows) return rows;
    rows = new Map();
    this.tables.set(table.name, rows);
    if (await isBackupTableEmpty(this.db, table)) return rows;
    let after: BackupValue[] | null = null;
    for (;;) {
      const page = await readBackupPage(this.db, table, after, PAGE);
      for (const row of page) rows.set(keyString(table, row), row);
      const last = page.at(-1);
      if (page.length < PAGE || !last) return rows;
      after = table.key.map((column) => last[column] ?? null);
    }
  }
}

const keyOf = (table: BackupTable, row: BackupRow) => table.key.map((column) => row[column] ?? null);
const keyString = (table: BackupTable, row: BackupRow) => JSON.stringify(keyOf(table, row));

/** Checks one row line; returns the error or the planned write. */
async function planLine(stored: Stored, value: Record<string, unknown>): Promise<string | Omit<Planned, "outcome">> {
  const table = typeof value.table === "string" ? backupTable(value.table) : undefined;
  if (!table) return `unknown table ${JSON.stringify(value.table)}`;
  if (typeof value.row !== "object" || value.row === null || Array.isArray(value.row)) return "row is not an object";
  const columns = await stored.columnsOf(table);
  const row: BackupRow = {};
  for (const [column, cell] of Object.entries(value.row)) {
    if (!columns.has(column)) return `${table.name} has no column ${JSON.stringify(column)}`;
    if (!isValue(cell)) return `${table.name}.${column} is not a string, number or null`;
    row[column] = cell;
  }
  for (const column of table.key) if (row[column] === undefined) return `${table.name}: key column ${column} missing`;
  const object = value.object as BackupLine["object"];
  if (object !== undefined) {
    if (typeof object !== "object" || object === null || typeof object.key !== "string") return "object has no key";
    if (table.object && object.key !== row[table.object]) return "object key does not match the row";
  }
  return { table, row, object };
}

function sameCounts(declared: unknown, counted: Record<string, number>): boolean {
  if (typeof declared !== "object" || declared === null) return false;
  const entries = (counts: object) => JSON.stringify(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  return entries(declared) === entries(counted);
}

function compare(row: BackupRow, current: BackupRow): string[] {
  return Object.keys(row).filter((column) => row[column] !== current[column]);
}

export async function restoreBackup(
  db: D1Database,
  bucket: R2Bucket,
  body: ReadableStream<Uint8Array>,
  merge: boolean,
): Promise<{ status: 200 | 409 | 422; report: RestoreReport }> {
  const report: RestoreReport = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    merge,
    applied: false,
    created: {},
    updated: {},
    unchanged: {},
    objects: { restored: 0, missing: 0 },
    conflicts: [],
    errors: [],
  };
  const stored = new Stored(db);
  const planned: Planned[] = [];
  const counted: Record<string, number> = {};
  let lineNumber = 0;
  let header = false;
  let end: Record<string, unknown> | null = null;
  for await (const text of linesOf(body)) {
    lineNumber++;
    if (!text.trim()) continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text);
    } catch {
      report.errors.push({ line: lineNumber, detail: "not JSON" });
      continue;
    }
    if (!header) {
      header = true;
      if (value.type !== BACKUP_FORMAT || value.version !== BACKUP_VERSION) {
        report.errors.push({ line: lineNumber, detail: `not a ${BACKUP_FORMAT} version ${BACKUP_VERSION} header` });
        break;
      }
      continue;
    }
    if (end) {
      report.errors.push({ line: lineNumber, detail: "a line after the end line" });
      continue;
    }
    if (value.type === "end") {
      end = value;
      continue;
    }
    if (value.type !== "row") {
      report.errors.push({ line: lineNumber, detail: `unknown line type ${JSON.stringify(value.type)}` });
      continue;
    }
    const plan = await planLine(stored, value);
    if (typeof plan === "string") {
      report.errors.push({ line: lineNumber, detail: plan });
      continue;
    }
    counted[plan.table.name] = (counted[plan.table.name] ?? 0) + 1;
    const current = (await stored.rowsOf(plan.table)).get(keyString(plan.table, plan.row));
    const fields = current ? compare(plan.row, current) : [];
    if (current && fields.length)
      report.conflicts.push({ table: plan.table.name, key: keyOf(plan.table, plan.row), fields });
    planned.push({ ...plan, outcome: !current ? "created" : fields.length ? "updated" : "unchanged" });
  }
  if (!header) report.errors.push({ line: 0, detail: "empty backup" });
  else if (!end && report.errors.length === 0)
    report.errors.push({ line: lineNumber, detail: "no end line: truncated backup" });
  else if (end && !sameCounts(end.rows, counted) && report.errors.length === 0) {
    report.errors.push({
      line: lineNumber,
      detail: "the end line's row counts do not match the rows: truncated backup",
    });
  }
  for (const plan of planned) report[plan.outcome][plan.table.name] = (report[plan.outcome][plan.table.name] ?? 0) + 1;
  if (report.errors.length) return { status: 422, report };
  if (report.conflicts.length && !merge) return { status: 409, report };
  await applyPlan(db, bucket, planned, report);
  report.applied = true;
  return { status: 200, report };
}

async function applyPlan(db: D1Database, bucket: R2Bucket, planned: Planned[], report: RestoreReport): Promise<void> {
  const writes = planned.filter((plan) => plan.outcome !== "unchanged");
  for (let i = 0; i < writes.length; i += BATCH) {
    await db.batch(writes.slice(i, i + BATCH).flatMap((plan) => upsertBackupRow(db, plan.table, plan.row)));
  }
  // Objects: restored when inline and not already stored (R2 keys name immutable bodies).
  for (const plan of planned) {
    const object = plan.object;
    if (!object) continue;
    if (object.base64 === undefined) {
      if ((await bucket.head(object.key)) === null) report.objects.missing++;
      continue;
    }
    if ((await bucket.head(object.key)) !== null) continue;
    await bucket.put(object.key, fromBase64(object.base64));
    report.objects.restored++;
  }
}
