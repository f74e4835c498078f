/**
 * JSON-array columns (destinations, catch-all, mailboxes, scopes, list domains): written with
 * JSON.stringify, read tolerantly. A value that is not JSON, not an array, or holds non-strings
 * (a row written by hand, an older format) reads as the strings it holds, never as an exception
 * that would fail routing or the API for one bad row.
 */

/** The strings of a JSON array column; NULL reads as null, a corrupt value as []. */
export function readJsonList(value: string | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

/** The column value for a list; null and undefined store NULL. */
export function writeJsonList(list: readonly string[] | null | undefined): string | null {
  return list === null || list === undefined ? null : JSON.stringify(list);
}
