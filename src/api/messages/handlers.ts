import type { RouteHandler } from "@hono/zod-openapi";
import { listAttemptsOfMessage } from "../../store/delivery-attempts";
import { findMessage, type LoggedMessage, listMessages } from "../../store/messages";
import { visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { notFound } from "../problem";
import { isoRequired } from "../schemas";
import type { getLoggedMessage, listLoggedMessages } from "./routes";

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
  const { limit, cursor, rcpt, decision, q, since, until } = c.req.valid("query");
  const page = await listMessages(c.env.DB, {
    rcpt,
    decision,
    q,
    since: since === undefined ? undefined : Date.parse(since),
    until: until === undefined ? undefined : Date.parse(until),
    domains: visibleDomains(c.get("access")) ?? undefined,
    after: decodeCursor(cursor),
    limit,
  });
  return c.json(pageBody(page, messageBody), 200);
};

export const getLoggedMessageHandler: RouteHandler<typeof getLoggedMessage, ApiEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const message = await findMessage(c.env.DB, id);
  const visible = visibleDomains(c.get("access"));
  // Another domain's entry, or one with no domain of ours, is not found for a domain token.
  if (!message || (visible && !(message.domain && visible.includes(message.domain)))) {
    throw notFound(`message ${id}`);
  }
  // A message can lead to deliveries for several of our domains: a domain token sees its own only.
  const attempts = await listAttemptsOfMessage(c.env.DB, id, visible ?? undefined);
  return c.json(
    {
      ...messageBody(message),
      attempts: attempts.map((a) => ({
        delivery: a.deliveryId,
        attempt: a.attempt,
        at: isoRequired(a.at),
        status: a.status,
        reply: a.reply,
        enhanced_code: a.enhancedCode,
        relay: a.relay,
      })),
    },
    200,
  );
};
