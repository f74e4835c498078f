import type { RouteHandler } from "@hono/zod-openapi";
import { listMessages, type MessageRow } from "../../store/messages";
import { visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, page } from "../pagination";
import { isoRequired, jsonList } from "../schemas";
import type { listLoggedMessages } from "./routes";

function parseAuth(value: string | null) {
  if (value === null) return null;
  try {
    return JSON.parse(value) as Record<string, { result: string; comment?: string | null }>;
  } catch {
    return null;
  }
}

function messageBody(row: MessageRow) {
  return {
    id: row.id,
    received_at: isoRequired(row.received_at),
    mail_from: row.mail_from,
    rcpt_to: row.rcpt_to,
    domain: row.domain,
    message_id: row.message_id,
    subject: row.subject,
    from_header: row.from_header,
    size: row.size,
    auth: parseAuth(row.auth),
    decision: row.decision,
    rule: row.rule,
    smtp_reply: row.smtp_reply,
    reason: row.reason,
    destinations: jsonList(row.destinations) ?? [],
  };
}

export const listLoggedMessagesHandler: RouteHandler<typeof listLoggedMessages, ApiEnv> = async (c) => {
  const { limit, cursor, rcpt, decision } = c.req.valid("query");
  const rows = await listMessages(c.env.DB, {
    rcpt,
    decision,
    domains: visibleDomains(c.get("access")) ?? undefined,
    before: decodeCursor(cursor),
    limit: limit + 1,
  });
  const result = page(rows, limit, (row) => row.id);
  return c.json({ items: result.items.map(messageBody), next_cursor: result.next_cursor }, 200);
};
