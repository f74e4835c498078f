/** POST /api/v1/domains/{domain}/sync: Cloudflare sync on demand (src/cloudflare/sync.ts). */
import { OpenAPIHono, type RouteHandler } from "@hono/zod-openapi";
import { type SyncEnv, SyncUnavailable, syncDomain } from "../../cloudflare/sync";
import type { ApiEnv } from "../env";
import { ApiProblem } from "../problem";
import { syncDomainRoute } from "./routes";

const syncHandler: RouteHandler<typeof syncDomainRoute, ApiEnv> = async (c) => {
  const { domain } = c.req.valid("param");
  const { dry_run } = c.req.valid("query");
  try {
    const report = await syncDomain(c.env as unknown as SyncEnv, domain, { dryRun: dry_run === "true" });
    if (!report) throw new ApiProblem(404, "not-found", `domain ${domain} not found`);
    return c.json(report, 200);
  } catch (error) {
    if (error instanceof SyncUnavailable) throw new ApiProblem(409, "conflict", error.message);
    throw error;
  }
};

export const cloudflareSync = new OpenAPIHono<ApiEnv>().openapi(syncDomainRoute, syncHandler);
