// Member files: CSV (RFC 4180; a header row naming email/address, name/display_name, role is
// optional) and Mailman 3's `mailman members LIST` output (one `Display Name <address>` or bare
// address per line; blank lines and lines starting with `#` are ignored, as `mailman members --add` does).
export interface Entry {
  line: number;
  address: string;
  displayName?: string;
  role?: "member" | "moderator" | "owner";
}

export interface Invalid {
  line: number;
  text: string;
  reason: string;
}

const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const ROLES = new Set(["member", "moderator", "owner"]);

/** RFC 4180 records with their starting line numbers (quoted fields may hold commas, quotes, newlines). */
function csvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      fields.push(field);
      records.push({ line: start, fields });
      fields = [];
      field = "";
      line++;
      start = line;
    } else field += ch;
  }
  if (field || fields.length) records.push({ line: start, fields: [...fields, field] });
  return records.filter((r) => r.fields.some((f) => f.trim()));
}

export function parseCsv(text: string): { entries: Entry[]; invalid: Invalid[] } {
  const records = csvRecords(text.replace(/^\uFEFF/, ""));
  let columns = { address: 0, name: 1, role: 2 };
  const head = records[0]?.fields.map((f) => f.trim().toLowerCase());
  if (head && !head.some((f) => f.includes("@"))) {
    records.shift();
    const find = (...names: string[]) => head.findIndex((h) => names.includes(h));
    columns = {
      address: find("email", "address", "e-mail"),
      name: find("name", "display_name", "full_name"),
      role: find("role"),
    };
    if (columns.address < 0)
      return { entries: [], invalid: [{ line: 1, text: head.join(","), reason: "no email column" }] };
  }
  const entries: Entry[] = [];
  const invalid: Invalid[] = [];
  for (const { line, fields } of records) {
    const address = fields[columns.address]?.trim() ?? "";
    const displayName = columns.name >= 0 ? fields[columns.name]?.trim() : undefined;
    const role = columns.role >= 0 ? fields[columns.role]?.trim().toLowerCase() : undefined;
    if (!ADDRESS.test(address)) invalid.push({ line, text: fields.join(","), reason: "not an address" });
    else if (role && !ROLES.has(role)) invalid.push({ line, text: fields.join(","), reason: `unknown role ${role}` });
    else
      entries.push({
        line,
        address,
        ...(displayName ? { displayName } : {}),
        ...(role ? { role: role as Entry["role"] } : {}),
      });
  }
  return { entries, invalid };
}

export function parseMailman(text: string): { entries: Entry[]; invalid: Invalid[] } {
  const entries: Entry[] = [];
  const invalid: Invalid[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const text = raw.trim();
    if (!text || text.startsWith("#")) return;
    const angle = text.match(/^(.*?)\s*<([^<>]+)>$/);
    const address = (angle ? angle[2]! : text).trim();
    let displayName = angle?.[1]?.trim();
    if (displayName?.startsWith('"') && displayName.endsWith('"')) {
      displayName = displayName.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    if (!ADDRESS.test(address)) invalid.push({ line, text, reason: "not an address" });
    else entries.push({ line, address, ...(displayName ? { displayName } : {}) });
  });
  return { entries, invalid };
}
