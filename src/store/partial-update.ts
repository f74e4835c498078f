/**
 * Partial UPDATE: only the columns whose value is given are written. `undefined` means "leave the
 * column as it is"; null is a value (it clears the column). Column names come from the store's own
 * code, never from a request, and are checked to be plain identifiers all the same.
 */

export type ColumnValue = string | number | null;

const COLUMN = /^[a-z_][a-z0-9_]*$/;

/** The name, checked to be a plain SQL identifier (it is spliced into the statement). */
export function checkColumn(name: string): string {
  if (!COLUMN.test(name)) throw new Error(`"${name}" is not a column name`);
  return name;
}

export interface Assignments {
  /** `a = ?1, b = ?2`, or "" when no column is given. */
  sql: string;
  values: ColumnValue[];
}

/** `col = ?n` for each given column, in the order given, numbered from `firstParam`. */
export function assignments(columns: Record<string, ColumnValue | undefined>, firstParam = 1): Assignments {
  const sets: string[] = [];
  const values: ColumnValue[] = [];
  for (const [column, value] of Object.entries(columns)) {
    if (value === undefined) continue;
    values.push(value);
    sets.push(`${checkColumn(column)} = ?${firstParam + values.length - 1}`);
  }
  return { sql: sets.join(", "), values };
}

/**
 * `UPDATE table SET <given columns> WHERE <key columns> [RETURNING *]`. At least one column must be
 * given (callers always set updated_at); the WHERE columns are matched with `=`.
 */
export function updateStatement(
  db: D1Database,
  table: string,
  columns: Record<string, ColumnValue | undefined>,
  where: Record<string, ColumnValue>,
  options: { returning?: boolean } = {},
): D1PreparedStatement {
  const set = assignments(columns);
  if (set.values.length === 0) throw new Error(`partial update of ${table}: no column given`);
  const keys = Object.entries(where);
  if (keys.length === 0) throw new Error(`partial update of ${table}: no WHERE column`);
  const conditions = keys.map(([column], i) => `${checkColumn(column)} = ?${set.values.length + i + 1}`);
  const sql = `UPDATE ${checkColumn(table)} SET ${set.sql} WHERE ${conditions.join(" AND ")}${options.returning ? " RETURNING *" : ""}`;
  return db.prepare(sql).bind(...set.values, ...keys.map(([, value]) => value));
}

/** 1/0 for a given boolean (SQLite has no boolean type), undefined when not given. */
export function flag(value: boolean | undefined): number | undefined {
  return value === undefined ? undefined : value ? 1 : 0;
}
