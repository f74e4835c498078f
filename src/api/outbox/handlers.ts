import type { RouteHandler } from "@hono/zod-openapi";
import { listOutbox } from "../../store/outbox";
import type { ApiEnv } from "../env";
import { decodeCursor, pageBody } from "../pagination";
import { ApiProblem } from "../problem";
import { isoRequired } from "../schemas";
import type { listOutboxRoute } from "./routes";

export const listOutboxHandler: RouteHandler<typeof listOutboxRoute, ApiEnv> = async (c) => {
  // Production relays send for real; there is nothing captured to show, so the route does not exist.
  if ((c.env.RELAY_URL ?? "").trim() !== "capture:") {
    throw new ApiProblem(404, "not-found", "the outbox exists only with the dev capture relay (RELAY_URL=capture:)");
  }
  const { limit, cursor, raw } = c.req.valid("query");
  const page = await listOutbox(c.env, { limit, after: decodeCursor(cursor), withRaw: raw === "true" });
  return c.json(
    pageBody(page, (item) => ({
      id: item.id,
      mail_from: item.mailFrom,
      rcpt_to: item.rcptTo,
      size: item.size,
      created_at: isoRequired(item.createdAt),
      raw: item.raw ?? null,
    })),
    200,
  );
};
