// Command-line words: positionals, `--name value`, `--name=value` and boolean `--flag`s.
export class UsageError extends Error {}

/** Flags that take no value. */
const BOOLEAN = new Set(["json", "help", "all", "once", "skip-confirmation", "quiet"]);

export interface Parsed {
  positionals: string[];
  options: Map<string, string>;
  flags: Set<string>;
}

export function parseArgs(argv: string[]): Parsed {
  const positionals: string[] = [];
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "-h") {
      flags.add("help");
      continue;
    }
    if (!word.startsWith("--") || word === "--") {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const name = word.slice(2, eq < 0 ? undefined : eq);
    if (BOOLEAN.has(name) && eq < 0) {
      flags.add(name);
      continue;
    }
    const value = eq >= 0 ? word.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    options.set(name, value);
  }
  return { positionals, options, flags };
}

/** Takes an option out of the parsed set, so what remains can become a request body. */
export function take(parsed: Parsed, name: string): string | undefined {
  const value = parsed.options.get(name);
  parsed.options.delete(name);
  return value;
}

/** Fields whose value is a comma-separated list of addresses or names. */
const LIST_FIELDS = new Set(["catch_all", "destinations", "scopes", "mailboxes", "dmarc_always_domains"]);

/** `--catch-all a@x,b@x --enabled false --hold-days 7` → {catch_all: [...], enabled: false, hold_days: 7}. */
export function bodyFromOptions(parsed: Parsed): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, raw] of parsed.options) {
    const field = name.replaceAll("-", "_");
    if (raw === "none" || raw === "null") body[field] = null;
    else if (LIST_FIELDS.has(field))
      body[field] = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    else if (raw === "true" || raw === "false") body[field] = raw === "true";
    else if (/^-?\d+$/.test(raw)) body[field] = Number(raw);
    else body[field] = raw;
  }
  if (parsed.flags.has("skip-confirmation")) body.skip_confirmation = true;
  return body;
}

export function need(parsed: Parsed, index: number, what: string): string {
  const value = parsed.positionals[index];
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}
