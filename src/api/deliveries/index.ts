/** /api/v1/deliveries: what happened to each recipient of relayed mail; retry now, re-send. */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import { listDeliveriesHandler } from "./handlers";
import { deliveryRetries } from "./retry";
import { listDeliveriesRoute } from "./routes";

export const deliveries = new OpenAPIHono<ApiEnv>()
  .openapi(listDeliveriesRoute, listDeliveriesHandler)
  .route("/", deliveryRetries);
