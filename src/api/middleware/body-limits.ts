/**
 * Request body caps, checked before anything reads the body (hono's bodyLimit checks
 * Content-Length first and counts streamed bytes otherwise). A 413 problem says which cap applied.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ApiEnv } from "../env";
import { ApiProblem } from "../problem";

/** Admin JSON documents are small; 1 MiB is far above any real alias or user record. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/**
 * A submitted message: Cloudflare Email Sending accepts 5 MiB and most submission servers 25 MiB;
 * 10 MiB of raw RFC 5322 (or its JSON form, whose base64 attachments grow by a third) is ample
 * and bounded for a Worker's 128 MB of memory.
 */
export const MAX_SEND_BODY_BYTES = 14 * 1024 * 1024;
/** A users database of thousands of entries fits in 5 MiB. */
export const MAX_IMPORT_BODY_BYTES = 5 * 1024 * 1024;

/**
 * A full NDJSON backup is restored in one request: 10,000 members are about 4 MiB; the parsed rows
 * of a larger instance, held until the conflict check is done, still fit the Worker's memory.
 */
export const MAX_RESTORE_BODY_BYTES = 64 * 1024 * 1024;

function capFor(path: string, contentType: string | undefined): number {
  if (path === "/api/v1/send") return MAX_SEND_BODY_BYTES;
  if (path === "/api/v1/import" && /ndjson/i.test(contentType ?? "")) return MAX_RESTORE_BODY_BYTES;
  if (path === "/api/v1/import") return MAX_IMPORT_BODY_BYTES;
  return MAX_JSON_BODY_BYTES;
}

export const bodyLimits: MiddlewareHandler<ApiEnv> = (c, next) => {
  const cap = capFor(c.req.path, c.req.header("content-type"));
  const limiter = bodyLimit({
    maxSize: cap,
    onError: () => {
      throw new ApiProblem(413, "payload-too-large", `the request body exceeds ${cap} bytes for ${c.req.path}`);
    },
  });
  return limiter(c, next);
};
