/**
 * POST /api/v1/deliveries/{id}/retry (a deferred delivery, now) and /resend (a failed one, again).
 * Both rebuild the job from the stored row (deliver/requeue.ts): the stored body must still be
 * in R2 (finished rows' bodies expire with LOG_RETENTION_DAYS), else 409 says so.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { requeueStoredRows } from "../../deliver/requeue";
import { findDeliveriesByIds } from "../../store/deliveries";
import { markDeliveryDueNow, reopenFailedDelivery } from "../../store/delivery-retries";
import { assertDomainWrite, visibleDomains } from "../access";
import type { ApiEnv } from "../env";
import { conflict, notFound, ProblemSchema } from "../problem";
import { apiRoute, json } from "../route";
import { deliveryBody } from "./handlers";
import { Delivery } from "./routes";

const notNow = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

const params = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

const retryRoute = apiRoute("domain", {
  method: "post",
  path: "/deliveries/{id}/retry",
  tags: ["logs"],
  summary: "Retry a deferred delivery now instead of at its next_attempt_at",
  request: { params },
  responses: {
    202: json(Delivery, "Queued for an attempt now"),
    409: notNow("Not deferred, or its message is no longer stored"),
  },
});

const resendRoute = apiRoute("domain", {
  method: "post",
  path: "/deliveries/{id}/resend",
  tags: ["logs"],
  summary: "Send a failed delivery again (a new give-up horizon; no DSN if it fails again)",
  request: { params },
  responses: { 202: json(Delivery, "Queued again"), 409: notNow("Not failed, or its message is no longer stored") },
});

/** The row, if this principal may see it (404 otherwise: another domain's id reveals nothing). */
async function visibleRow(c: { env: Env; get(key: "access"): ApiEnv["Variables"]["access"] }, id: string) {
  const [row] = await findDeliveriesByIds(c.env.DB, [id]);
  const visible = visibleDomains(c.get("access"));
  if (!row || (visible && !visible.includes(row.domain))) throw notFound(`delivery ${id}`);
  assertDomainWrite(c.get("access"), row.domain);
  if (!(await c.env.MAIL.head(row.r2Key))) {
    throw conflict(`the message of delivery ${id} is no longer stored (LOG_RETENTION_DAYS): it cannot be sent again`);
  }
  return row;
}

export const deliveryRetries = new OpenAPIHono<ApiEnv>()
  .openapi(retryRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await visibleRow(c, id);
    const now = Date.now();
    if (!(await markDeliveryDueNow(c.env.DB, row.id, now))) {
      throw conflict(`delivery ${id} is ${row.status}: only a deferred delivery can be retried now`);
    }
    // The give-up horizon still counts from the row's creation: retrying early does not extend it.
    await requeueStoredRows(c.env, [row], now);
    const [after] = await findDeliveriesByIds(c.env.DB, [id]);
    return c.json(deliveryBody(after ?? row), 202);
  })
  .openapi(resendRoute, async (c) => {
    const { id } = c.req.valid("param");
    const row = await visibleRow(c, id);
    const now = Date.now();
    if (!(await reopenFailedDelivery(c.env.DB, row.id, now))) {
      throw conflict(`delivery ${id} is ${row.status}: only a failed delivery can be re-sent`);
    }
    await requeueStoredRows(c.env, [row], now, now);
    const [after] = await findDeliveriesByIds(c.env.DB, [id]);
    return c.json(deliveryBody(after ?? row), 202);
  });
