/** GET /healthz: no authentication; checks that D1 answers, for uptime monitors. */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { pingDatabase } from "../../store/health";
import type { ApiEnv } from "../env";
import { ApiProblem } from "../problem";

const healthRoute = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness and database check (no authentication)",
  tags: ["health"],
  "x-facteur-access": "public",
  responses: {
    200: {
      description: "Healthy",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }).openapi("Health") } },
    },
    503: { description: "D1 does not answer" },
  },
});

export const health = new OpenAPIHono<ApiEnv>().openapi(healthRoute, async (c) => {
  try {
    await pingDatabase(c.env.DB);
  } catch {
    throw new ApiProblem(503, "internal", "the database does not answer");
  }
  return c.json({ status: "ok" as const }, 200);
});
