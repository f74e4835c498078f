/**
 * /api/v1/destinations: addresses verified in the Cloudflare account. message.forward() reaches
 * only these (DESIGN.md), so routing forwards to them directly and relays everything else; this
 * table is how Facteur knows which is which.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../env";
import {
  createDestinationHandler,
  deleteDestinationHandler,
  listDestinationsHandler,
  updateDestinationHandler,
} from "./handlers";
import { createDestination, deleteDestination, listDestinations, updateDestination } from "./routes";

export const destinations = new OpenAPIHono<ApiEnv>()
  .openapi(listDestinations, listDestinationsHandler)
  .openapi(createDestination, createDestinationHandler)
  .openapi(updateDestination, updateDestinationHandler)
  .openapi(deleteDestination, deleteDestinationHandler);
