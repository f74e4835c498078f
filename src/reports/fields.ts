/**
 * RFC 5322 header-style field blocks as report formats use them: the message/feedback-report
 * body (RFC 5965 section 3.1) and the enclosed original's header section (RFC 6591 section 3.1).
 * Names are lower-cased, folded lines joined, runs of white space made one space.
 */

/** Fields up to the first empty line; each name maps to its values in order. */
export function readFields(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let last: { name: string; index: number } | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      if (fields.size > 0 || last) break;
      continue;
    }
    if ((line[0] === " " || line[0] === "\t") && last) {
      const values = fields.get(last.name) ?? [];
      values[last.index] = `${values[last.index] ?? ""} ${line}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) break; // RFC 5322 section 2.2: not a field, so the header section has ended
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = fields.get(name) ?? [];
    values.push(line.slice(colon + 1));
    fields.set(name, values);
    last = { name, index: values.length - 1 };
  }
  for (const [name, values] of fields) fields.set(name, values.map(fold));
  return fields;
}

function fold(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

/** The bytes of a part as text: UTF-8 when it is valid, else ISO 8859-1 so that no byte is lost. */
export function partText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder("latin1").decode(bytes);
  }
}
