/** One structured log line per API request: method, path, status, duration, request id. */
import type { MiddlewareHandler } from "hono";
import { log } from "../../core/log";
import type { ApiEnv } from "../env";

export const requestLog: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const started = Date.now();
  await next();
  log({
    stage: "api",
    unit: "request",
    outcome: String(c.res.status),
    method: c.req.method,
    path: c.req.path,
    requestId: c.get("requestId"),
    ms: Date.now() - started,
  });
};
