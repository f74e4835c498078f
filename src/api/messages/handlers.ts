import type { RouteHandler } from "@hono/zod-openapi";
import { type LoggedMessage, listMessages } from "../../store/messages";
import { visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { isoRequired } from "../schemas";
import type { listLoggedMessages } from "./routes";

function messageBody(message: LoggedMessage) {
  return {
    id: message.id,
    received_at: isoRequired(message.receivedAt),
    mail_from: message.mailFrom,
    rcpt_to: message.rcptTo,
    domain: message.domain,
    message_id: message.messageId,
    subject: message.subject,
    from_header: message.fromHeader,
    size: message.size,
    auth: message.auth,
    decision: message.decision,
    rule: message.rule,
    smtp_reply: message.smtpReply,
    reason: message.reason,
    destinations: message.destinations,
  };
}

export const listLoggedMessagesHandler: RouteHandler<typeof listLoggedMessages, ApiEnv> = async (c) => {
  const { limit, cursor, rcpt, decision } = c.req.valid("query");
  const page = await listMessages(c.env.DB, {
    rcpt,
    decision,
    domains: visibleDomains(c.get("access")) ?? undefined,
    after: decodeCursor(cursor),
    limit,
  });
  return c.json(pageBody(page, messageBody), 200);
};
