/**
 * Pagination: `limit` (default 50, at most 200) and an opaque `cursor`, the base64url of the last
 * key of the previous page (the `next` key of a store page). Opaque so the key can change (id, address, composite) without breaking
 * clients; a cursor that does not decode is a 400 naming the `cursor` field.
 */
import { z } from "@hono/zod-openapi";
import { fromBase64Url, toBase64Url, utf8 } from "../credentials/encoding";
import type { Page } from "../store/pagination";
import { invalid } from "./problem";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** A cursor is a key we produced; anything longer was not. */
const MAX_CURSOR_LENGTH = 1024;

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .openapi({ description: `Page size (1 to ${MAX_PAGE_SIZE})`, example: DEFAULT_PAGE_SIZE }),
  cursor: z.string().max(MAX_CURSOR_LENGTH).optional().openapi({ description: "`next_cursor` from the previous page" }),
});

export function encodeCursor(key: string): string {
  return toBase64Url(utf8(key));
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  try {
    const key = new TextDecoder().decode(fromBase64Url(cursor));
    // Only cursors this API produced round-trip exactly; anything else is refused, not guessed at.
    if (encodeCursor(key) !== cursor) throw new Error("not canonical");
    return key;
  } catch {
    throw invalid("cursor", "not a cursor returned by this API", "query");
  }
}

/**
 * The response body for a store page (store/pagination.ts): its rows mapped to their API shape and
 * its next key encoded as the cursor.
 */
export function pageBody<T, U>(page: Page<T>, map: (row: T) => U): { items: U[]; next_cursor: string | null } {
  return { items: page.rows.map(map), next_cursor: page.next === null ? null : encodeCursor(page.next) };
}

export function pageSchema<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      next_cursor: z
        .string()
        .nullable()
        .openapi({ description: "Pass as `cursor` for the next page; null on the last" }),
    })
    .openapi(name);
}
