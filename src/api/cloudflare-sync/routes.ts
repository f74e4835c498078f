import { z } from "@hono/zod-openapi";
import { apiRoute, json } from "../route";
import { DomainName } from "../schemas";

const Change = (name: string, actions: readonly [string, ...string[]]) =>
  z
    .object({
      action: z.enum(actions),
      note: z.string().optional(),
    })
    .passthrough()
    .openapi(name);

export const SyncReport = z
  .object({
    domain: z.string(),
    dry_run: z.boolean(),
    zone_id: z.string().nullable(),
    dns: z.array(
      Change("DnsChange", ["create", "update", "delete", "keep", "conflict", "email-routing-dns"]).extend({
        type: z.enum(["TXT", "MX"]),
        name: z.string(),
        content: z.string(),
        current: z.string().optional(),
        id: z.string().optional(),
      }),
    ),
    destinations: z.array(
      Change("DestinationChange", [
        "create",
        "mark-verified",
        "mark-unverified",
        "pending",
        "keep",
        "over-limit",
      ]).extend({
        address: z.string(),
      }),
    ),
    routing: z.array(
      Change("RoutingChange", ["enable", "set-catch-all", "keep", "conflict"]).extend({ what: z.string() }),
    ),
    warnings: z.array(z.string()),
    errors: z.array(
      z.object({
        section: z.enum(["zone", "dns", "destinations", "routing"]),
        status: z.number().nullable(),
        message: z.string(),
      }),
    ),
    applied: z.number().openapi({ description: "Changes made; 0 on a dry run" }),
  })
  .openapi("SyncReport");

export const syncDomainRoute = apiRoute("admin", {
  method: "post",
  path: "/domains/{domain}/sync",
  tags: ["domains"],
  summary: "Bring Cloudflare in step: DNS records, destination addresses, Email Routing (needs CLOUDFLARE_API_TOKEN)",
  request: {
    params: z.object({ domain: DomainName.openapi({ param: { name: "domain", in: "path" } }) }),
    query: z.object({
      dry_run: z
        .enum(["true", "false"])
        .default("false")
        .openapi({ description: "true: return the plan, change nothing" }),
    }),
  },
  responses: {
    200: json(SyncReport, "What was found, planned and (unless dry_run) applied"),
    409: json(z.any(), "CLOUDFLARE_API_TOKEN is not set"),
  },
});
