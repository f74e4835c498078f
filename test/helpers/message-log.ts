/** Reads back the message log as the tests check it: the newest row for a recipient. */
import { env } from "cloudflare:test";

/** The columns the routing tests assert on; callers that read more name their own row type. */
export interface LogRowBasics {
  decision: string;
  rule: string;
  reason: string;
  smtp_reply: string | null;
}

/** The newest log row for `rcpt` (ids are time-ordered), or null when none was written. */
export async function lastLogRow<T = LogRowBasics>(rcpt: string): Promise<T | null> {
  return env.DB.prepare("SELECT * FROM messages WHERE rcpt_to = ? ORDER BY id DESC LIMIT 1").bind(rcpt).first<T>();
}
