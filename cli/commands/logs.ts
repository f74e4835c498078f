// `facteur logs tail`: the inbound log as it grows. Each poll reads the newest page and follows
// next_cursor back until it reaches a message already shown, so nothing is skipped between polls.
import { call } from "../api.ts";
import { take } from "../args.ts";
import type { Context } from "./context.ts";

/** One line per message: when, the decision, envelope sender → recipient, and why. */
const line = (m: Record<string, unknown>) =>
  [m.received_at, String(m.decision).padEnd(8), `${m.mail_from || "<>"} → ${m.rcpt_to}`, m.reason ?? ""]
    .join("  ")
    .trimEnd();
const MAX_PAGES_PER_POLL = 10;

export async function tailLogs(c: Context): Promise<void> {
  const rcpt = take(c.args, "rcpt");
  const decision = take(c.args, "decision");
  const interval = Number(take(c.args, "interval") ?? "2") * 1000;
  const count = Number(take(c.args, "count") ?? "0");
  const backlog = Number(take(c.args, "lines") ?? "10");
  const seen = new Set<string>();
  let printed = 0;
  let first = true;
  for (;;) {
    const fresh: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < MAX_PAGES_PER_POLL; pages++) {
      const query = JSON.parse(JSON.stringify({ limit: first ? Math.max(backlog, 1) : 50, cursor, rcpt, decision }));
      const page = await call(c.api.GET("/api/v1/messages", { params: { query } }));
      const unseen = page.items.filter((m) => !seen.has(m.id));
      fresh.push(...unseen);
      if (first || unseen.length < page.items.length || !page.next_cursor) break;
      cursor = page.next_cursor;
    }
    // The API lists newest first; a tail prints oldest first.
    const lines = (first ? fresh.slice(0, backlog) : fresh).reverse();
    for (const m of fresh) seen.add(m.id as string);
    for (const m of lines) {
      c.out.write(c.out.json ? JSON.stringify(m) : line(m));
      printed++;
      if (count && printed >= count) return;
    }
    first = false;
    if (c.args.flags.has("once")) return;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
