// `facteur members import LIST FILE [--format csv|mailman]`: one result per input line, a progress
// bar on stderr, batches of 100 (the API takes at most 1,000 per request and imports each batch as
// one D1 transaction, all or nothing, so a refused address is taken out and the batch retried).
import { readFileSync } from "node:fs";
import { ApiError, call } from "../api.ts";
import { need, take, UsageError } from "../args.ts";
import { table } from "../output.ts";
import type { Context } from "./context.ts";
import { type Entry, parseCsv, parseMailman } from "./member-files.ts";

interface Result {
  line: number;
  address: string;
  result: string;
}

const BATCH = 100;

export async function importMembers(c: Context): Promise<void> {
  const list = need(c.args, 0, "LIST");
  const file = need(c.args, 1, "FILE");
  const format = take(c.args, "format") ?? (/\.csv$/i.test(file) ? "csv" : "mailman");
  if (format !== "csv" && format !== "mailman") throw new UsageError("--format is csv or mailman");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const skip = c.args.flags.has("skip-confirmation");
  const parsed = format === "csv" ? parseCsv(text) : parseMailman(text);
  const results: Result[] = parsed.invalid.map((e) => ({
    line: e.line,
    address: e.text,
    result: `invalid: ${e.reason}`,
  }));
  const progress = bar(c, parsed.entries.length);
  for (let i = 0; i < parsed.entries.length; i += BATCH) {
    results.push(...(await sendBatch(c, list, parsed.entries.slice(i, i + BATCH), skip)));
    progress(Math.min(i + BATCH, parsed.entries.length));
  }
  results.sort((a, b) => a.line - b.line);
  if (c.out.json) c.out.write(JSON.stringify(results, null, 2));
  else c.out.write(table(results as unknown as Record<string, unknown>[]));
  const failed = results.filter((r) => !/^(added|pending)/.test(r.result)).length;
  c.out.error(`${results.length - failed} imported, ${failed} not imported`);
  if (failed) throw new ApiError(`${failed} line(s) not imported`, 0);
}

async function sendBatch(c: Context, list: string, batch: Entry[], skip: boolean): Promise<Result[]> {
  const refused: Result[] = [];
  let remaining = batch;
  while (remaining.length) {
    const members = remaining.map((e) => ({
      address: e.address,
      ...(e.displayName ? { display_name: e.displayName } : {}),
      ...(e.role ? { role: e.role } : {}),
    }));
    try {
      await call(
        c.api.POST("/api/v1/lists/{address}/members", {
          params: { path: { address: list } },
          body: { members, skip_confirmation: skip },
        }),
      );
      const outcome = skip ? "added" : "pending (confirmation sent)";
      return [...refused, ...remaining.map((e) => ({ line: e.line, address: e.address, result: outcome }))];
    } catch (error) {
      const bad = fieldErrors(error);
      if (bad.size === 0) {
        const why = (error as Error).message.split("\n")[0];
        return [...refused, ...remaining.map((e) => ({ line: e.line, address: e.address, result: `error: ${why}` }))];
      }
      remaining.forEach((e, index) => {
        const detail = bad.get(index);
        if (detail) refused.push({ line: e.line, address: e.address, result: `refused: ${detail}` });
      });
      remaining = remaining.filter((_, index) => !bad.has(index));
    }
  }
  return refused;
}

/** 400 problem `errors` name fields like `members.3.address`: index → detail. */
function fieldErrors(error: unknown): Map<number, string> {
  const out = new Map<number, string>();
  if (!(error instanceof ApiError) || error.status !== 400) return out;
  const problem = error.problem as { errors?: { field: string; detail: string }[] } | undefined;
  for (const e of problem?.errors ?? []) {
    const index = e.field.match(/^members\.(\d+)/)?.[1];
    if (index !== undefined) out.set(Number(index), e.detail);
  }
  return out;
}

function bar(c: Context, total: number): (done: number) => void {
  const tty = process.stderr.isTTY && !c.args.flags.has("quiet");
  return (done) => {
    if (c.args.flags.has("quiet")) return;
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const text = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
    if (tty) process.stderr.write(`\r${text}${done === total ? "\n" : ""}`);
    else c.out.error(text);
  };
}
