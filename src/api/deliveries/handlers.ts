import type { RouteHandler } from "@hono/zod-openapi";
import { type Delivery, type DeliveryStatus, listDeliveries } from "../../store/deliveries";
import { visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { decodeCursor, encodeCursor } from "../pagination";
import { iso, isoRequired } from "../schemas";
import type { listDeliveriesRoute } from "./routes";

function deliveryBody(d: Delivery) {
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
  const before = decodeCursor(cursor);
  const only = visibleDomains(c.get("access"));
  // A domain-scoped token sees only its domains' deliveries (null: every domain).
  const result = await listDeliveries(c.env, {
    message,
    status: status as DeliveryStatus | undefined,
    domains: only ?? undefined,
    limit,
    cursor: before,
  });
  return c.json(
    { items: result.items.map(deliveryBody), next_cursor: result.cursor ? encodeCursor(result.cursor) : null },
    200,
  );
};
