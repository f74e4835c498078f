/**
 * The admin API (DESIGN.md "Admin API contract"): one Hono app built by `createApp()`, which holds
 * request id, logging, authentication, body caps, notFound and onError in one place. Each resource
 * lives in its own folder (routes + handlers + index) and is mounted under /api/v1.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { logError } from "../core/log";
import { createDohResolver } from "../dns/doh";
import type { Resolver } from "../dns/types";
import { aliases } from "./aliases";
import { archive, publicArchive } from "./archive";
import { autoReplies } from "./auto-replies";
import { cloudflareSync } from "./cloudflare-sync";
import { contacts } from "./contacts";
import { deliveries } from "./deliveries";
import { deliveryModes } from "./delivery-modes";
import { destinations } from "./destinations";
import { dkim } from "./dkim";
import { apiDocs } from "./docs";
import { domainHealth } from "./domain-health";
import { domains } from "./domains";
import type { ApiEnv } from "./env";
import { health } from "./health";
import { importExport } from "./import-export";
import { lists, unsubscribe } from "./lists";
import { mailmanImport } from "./mailman-import";
import { messages } from "./messages";
import { authenticate } from "./middleware/authenticate";
import { bodyLimits } from "./middleware/body-limits";
import { requestLog } from "./middleware/request-log";
import { mtaSts } from "./mta-sts";
import { outbox } from "./outbox";
import { ApiProblem, type ProblemType, problemResponse } from "./problem";
import { reports } from "./reports";
import { send } from "./send";
import { suppressions } from "./suppressions";
import { tokens } from "./tokens";
import { users } from "./users";
import { validationHook } from "./validation-hook";
import { webhooks } from "./webhooks";
import { webhookRaw } from "./webhooks/raw";

export { loadSigningKey } from "../credentials/dkim-keys";
export type { ApiEnv } from "./env";

/** Every resource mounted under /api/v1, in the order the OpenAPI document lists them. */
const RESOURCES = [
  domains,
  cloudflareSync,
  dkim,
  reports,
  domainHealth,
  aliases,
  autoReplies,
  contacts,
  lists,
  deliveryModes,
  mailmanImport,
  archive,
  users,
  importExport,
  messages,
  deliveries,
  suppressions,
  tokens,
  send,
  outbox,
  destinations,
  webhooks,
];

const STATUS_TYPES: Record<number, ProblemType> = {
  400: "bad-request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not-found",
  409: "conflict",
  413: "payload-too-large",
  415: "unsupported-media-type",
  422: "unprocessable",
  429: "rate-limited",
};

/** Maps any thrown error to a problem. Only unexpected errors become 500, and they are logged. */
function toProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof HTTPException) {
    const type = STATUS_TYPES[error.status] ?? (error.status >= 500 ? "internal" : "bad-request");
    return new ApiProblem(error.status, type, error.message || type);
  }
  const message = error instanceof Error ? error.message : String(error);
  // A concurrent writer can win the race between a handler's existence check and its INSERT.
  if (/UNIQUE constraint failed/i.test(message)) return new ApiProblem(409, "conflict", "the resource already exists");
  if (/FOREIGN KEY constraint failed/i.test(message)) {
    return new ApiProblem(409, "conflict", "a referenced resource does not exist or is still in use");
  }
  // Configuration errors are the operator's to fix; saying which setting is wrong helps them.
  if (error instanceof Error && /ConfigError|KeyEncryptionError/.test(error.name)) {
    return new ApiProblem(500, "internal", `server configuration error: ${message}`);
  }
  return new ApiProblem(500, "internal", "an unexpected error occurred; the request id is in the logs");
}

/** The methods the OpenAPI document declares for a concrete path (its `{param}` templates matched). */
function methodsByPath(app: OpenAPIHono<ApiEnv>): (path: string) => string[] {
  const routes: { pattern: RegExp; method: string }[] = [];
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== "route") continue;
    const escaped = definition.route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^/]+?\}/g, "[^/]+");
    routes.push({ pattern: new RegExp(`^${escaped}$`), method: definition.route.method.toUpperCase() });
  }
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
}

export interface AppDeps {
  /** DNS as the Worker sees it (DoH in production, a declared zone in tests). */
  resolverFor(env: Env): Resolver;
}

const dohResolverFor = (env: Env): Resolver =>
  createDohResolver({ url: env.DOH_URL || "https://cloudflare-dns.com/dns-query" });

export function createApp(deps: AppDeps = { resolverFor: dohResolverFor }): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.use("*", requestId());
  app.use("*", async (c, next) => {
    c.set("resolver", deps.resolverFor(c.env));
    await next();
  });
  app.use("*", requestLog);
  // Credentials first: an unauthenticated client learns nothing, not even which routes exist.
  app.use("/api/v1/*", authenticate);
  app.use("/api/*", bodyLimits);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "ADMIN_TOKEN, or an API token from POST /api/v1/tokens",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "basicAuth", {
    type: "http",
    scheme: "basic",
    description: "A user's name and password (POST /api/v1/send only)",
  });

  app.route("/", health);
  app.route("/", mtaSts);
  // RFC 8058 one-click unsubscribe: public HTML and form POSTs, outside /api (no credentials).
  app.route("/", unsubscribe);
  // A webhook payload's link to its raw message: signed, outside /api (no credentials).
  app.route("/", webhookRaw);
  // The list archive's public door: the list's archive policy is the authority (HTTP Basic for members).
  app.route("/", publicArchive);
  for (const resource of RESOURCES) app.route("/api/v1", resource);

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Facteur admin API",
      version: "1.0.0",
      description:
        "Email routing for Cloudflare-hosted domains: domains, aliases, users, DKIM keys, logs, submission. Errors are RFC 9457 problem+json.",
    },
  });
  app.get("/api/docs", apiDocs);

  // RFC 9110 section 15.5.6: a path that exists under other methods is 405 with Allow, not 404.
  const allowedMethods = methodsByPath(app);
  app.notFound((c) => {
    const allow = allowedMethods(c.req.path);
    const problem = allow.length
      ? new ApiProblem(405, "method-not-allowed", `${c.req.method} is not allowed on ${c.req.path}`, {
          headers: { Allow: allow.join(", ") },
        })
      : new ApiProblem(404, "not-found", `no route for ${c.req.method} ${c.req.path}`);
    return problemResponse(problem, c.req.path, c.get("requestId"));
  });
  app.onError((error, c) => {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      logError({
        stage: "api",
        unit: "on-error",
        outcome: "500",
        path: c.req.path,
        requestId: c.get("requestId"),
        error,
      });
    }
    return problemResponse(problem, c.req.path, c.get("requestId"));
  });
  return app;
}
