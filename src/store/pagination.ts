/**
 * The one pagination contract of the data layer: a list function takes `{ limit, after? }` and
 * returns `{ rows, next }`, `next` being the key of the last row when another page follows (the
 * `after` of the next call) and null on the last page. Keys are plain values; only api/ turns them
 * into opaque cursors.
 */

export interface PageRequest<K = string> {
  /** Rows per page (at least 1). */
  limit: number;
  /** The `next` of the previous page: rows strictly after this key in the listing's order. */
  after?: K;
}

export interface Page<T, K = string> {
  rows: T[];
  next: K | null;
}

/**
 * The page from a query that read `limit + 1` rows: the extra row only says that another page
 * follows, and is not returned.
 */
export function pageOf<T, K>(rows: T[], limit: number, keyOf: (row: T) => K): Page<T, K> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last !== undefined ? keyOf(last) : null };
}
