import type { RouteHandler } from "@hono/zod-openapi";
import type { DeliveryStatus } from "../../core/delivery-status";
import { type Delivery, listDeliveries } from "../../store/deliveries";
import { visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { iso, isoRequired } from "../schemas";
import type { listDeliveriesRoute } from "./routes";

export function deliveryBody(d: Delivery) {
  return {
    id: d.id,
    message: d.messageLogId,
    origin: d.origin,
    domain: d.domain,
    mail_from: d.mailFrom,
    rcpt: d.rcpt,
    status: d.status,
    attempts: d.attempts,
    relay: d.relay,
    last_reply: d.lastReply,
    next_attempt_at: iso(d.nextAttemptAt),
    dsn: d.dsn,
    created_at: isoRequired(d.createdAt),
    updated_at: isoRequired(d.updatedAt),
  };
}

export const listDeliveriesHandler: RouteHandler<typeof listDeliveriesRoute, ApiEnv> = async (c) => {
  const { limit, cursor, message, status } = c.req.valid("query");
  const only = visibleDomains(c.get("access"));
  // A domain-scoped token sees only its domains' deliveries (null: every domain).
  const page = await listDeliveries(c.env, {
    message,
    status: status as DeliveryStatus | undefined,
    domains: only ?? undefined,
    limit,
    after: decodeCursor(cursor),
  });
  return c.json(pageBody(page, deliveryBody), 200);
};
