import type { Client } from "../api.ts";
import { type Parsed, take } from "../args.ts";
import { type Out, show } from "../output.ts";

/** What every command gets: the parsed words (after resource and verb), the client, the output. */
export interface Context {
  args: Parsed;
  api: Client;
  out: Out;
  env: NodeJS.ProcessEnv;
}

export type Verb = (ctx: Context) => Promise<void>;

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** Lists take --limit and --cursor, and --all to follow next_cursor to the last page. */
export async function listPages<T extends { items: unknown[]; next_cursor: string | null }>(
  ctx: Context,
  fetchPage: (query: PageQuery) => Promise<T>,
  columns?: string[],
) {
  const limit = take(ctx.args, "limit");
  const query: PageQuery = { ...(limit ? { limit: Number(limit) } : {}) };
  const cursor = take(ctx.args, "cursor");
  const first = await fetchPage(cursor ? { ...query, cursor } : query);
  if (!ctx.args.flags.has("all")) return show(ctx.out, first, columns);
  const items = [...first.items];
  let next = first.next_cursor;
  while (next) {
    const more = await fetchPage({ ...query, cursor: next });
    items.push(...more.items);
    next = more.next_cursor;
  }
  return show(ctx.out, { items, next_cursor: null }, columns);
}

export function done(ctx: Context, value: unknown, columns?: string[]) {
  show(ctx.out, value, columns);
}
