import type { RouteHandler } from "@hono/zod-openapi";
import {
  type Destination,
  deleteDestination,
  findDestination,
  listDestinations,
  updateDestination,
  upsertDestination,
} from "../../store/destinations";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { conflict, notFound } from "../problem";
import { isoRequired } from "../schemas";
import type {
  createDestination,
  deleteDestination as deleteDestinationRoute,
  listDestinations as listDestinationsRoute,
  updateDestination as updateDestinationRoute,
} from "./routes";

function destinationBody(destination: Destination) {
  return {
    address: destination.address,
    verified: destination.verified,
    created_at: isoRequired(destination.createdAt),
  };
}

export const listDestinationsHandler: RouteHandler<typeof listDestinationsRoute, ApiEnv> = async (c) => {
  const { limit, cursor, verified } = c.req.valid("query");
  const page = await listDestinations(c.env.DB, {
    after: decodeCursor(cursor),
    verified: verified === undefined ? undefined : verified === "true",
    limit,
  });
  return c.json(pageBody(page, destinationBody), 200);
};

export const createDestinationHandler: RouteHandler<typeof createDestination, ApiEnv> = async (c) => {
  const body = c.req.valid("json");
  if (await findDestination(c.env.DB, body.address)) throw conflict(`destination ${body.address} is already recorded`);
  await upsertDestination(c.env.DB, body.address, body.verified).run();
  const destination = await findDestination(c.env.DB, body.address);
  if (!destination) throw notFound(`destination ${body.address}`);
  return c.json(destinationBody(destination), 201);
};

export const updateDestinationHandler: RouteHandler<typeof updateDestinationRoute, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  const { verified } = c.req.valid("json");
  const destination = await updateDestination(c.env.DB, address, verified);
  if (!destination) throw notFound(`destination ${address}`);
  return c.json(destinationBody(destination), 200);
};

export const deleteDestinationHandler: RouteHandler<typeof deleteDestinationRoute, ApiEnv> = async (c) => {
  const { address } = c.req.valid("param");
  if (!(await deleteDestination(c.env.DB, address))) throw notFound(`destination ${address}`);
  return c.json({ deleted: true as const }, 200);
};
