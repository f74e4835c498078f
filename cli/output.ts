// Tables for people, JSON (--json) for scripts. Tables show scalar fields; lists are joined by commas.
type Row = Record<string, unknown>;

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
};

export function table(rows: Row[], columns?: string[]): string {
  if (rows.length === 0) return "(none)";
  const cols =
    columns ??
    Object.keys(rows[0]!).filter((k) =>
      rows.some((r) => typeof r[k] !== "object" || Array.isArray(r[k]) || r[k] === null),
    );
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => Math.min(row[i]!.length, 60))));
  const line = (values: string[]) =>
    values
      .map((v, i) => (v.length > 60 ? `${v.slice(0, 59)}…` : v).padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...cells.map(line)].join("\n");
}

export function record(row: Row): string {
  const keys = Object.keys(row);
  const width = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${cell(row[k])}`).join("\n");
}

export interface Out {
  json: boolean;
  write: (text: string) => void;
  error: (text: string) => void;
}

export function show(out: Out, value: unknown, columns?: string[]) {
  if (out.json) return out.write(JSON.stringify(value, null, 2));
  if (value && typeof value === "object" && "items" in value && Array.isArray((value as { items: unknown }).items)) {
    const page = value as { items: Row[]; next_cursor?: string | null };
    out.write(table(page.items, columns));
    if (page.next_cursor) out.error(`more: --cursor ${page.next_cursor} (or --all)`);
    return;
  }
  if (Array.isArray(value)) return out.write(table(value as Row[], columns));
  if (value && typeof value === "object") return out.write(record(value as Row));
  out.write(String(value));
}
