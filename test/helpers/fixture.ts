/**
 * The .eml fixtures under test/fixtures/, one file per scenario, are imported as text with Vite's
 * `?raw` suffix (workerd tests cannot read the file system at run time). A few name addresses a
 * test only knows when it runs (a list on a fresh domain, a VERP or confirmation address): those
 * are written `{{name}}` in the file and filled in here. A placeholder without a value, or a value
 * without a placeholder, is a broken fixture and throws.
 *
 * Line endings become CRLF (RFC 5322 section 2.1) whatever the file was saved with, so an editor
 * or a checkout cannot change the bytes a test sends.
 */
export function fixture(raw: string, values: Record<string, string> = {}): string {
  const used = new Set<string>();
  const filled = raw.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`fixture placeholder {{${name}}} has no value`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`fixture has no placeholder for ${unused.join(", ")}`);
  return filled.replace(/\r?\n/g, "\r\n");
}
