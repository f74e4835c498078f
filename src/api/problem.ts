/**
 * RFC 9457 problem details: every error the API gives has this one shape, served as
 * `application/problem+json` by the app's onError.
 */
import { z } from "@hono/zod-openapi";

export interface FieldError {
  /** Dotted path of the bad input, e.g. "destinations.0" (body), "limit" (query). */
  field: string;
  detail: string;
  /** Where the field was: json | query | param | header. */
  in?: string;
}

/** Problem type URIs: stable identifiers a client can switch on (RFC 9457 section 3.1.1). */
export type ProblemType =
  | "bad-request"
  | "validation"
  | "unauthenticated"
  | "forbidden"
  | "not-found"
  | "method-not-allowed"
  | "conflict"
  | "payload-too-large"
  | "unsupported-media-type"
  | "rate-limited"
  | "unprocessable"
  | "internal";

const TITLES: Record<ProblemType, string> = {
  "bad-request": "Bad request",
  validation: "Invalid input",
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  "not-found": "Not found",
  "method-not-allowed": "Method not allowed",
  conflict: "Conflict",
  "payload-too-large": "Payload too large",
  "unsupported-media-type": "Unsupported media type",
  "rate-limited": "Too many requests",
  unprocessable: "Unprocessable content",
  internal: "Internal error",
};

export class ApiProblem extends Error {
  override name = "ApiProblem";
  constructor(
    readonly status: number,
    readonly type: ProblemType,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

export function problemBody(problem: ApiProblem, instance: string, requestId?: string) {
  return {
    type: `urn:facteur:problem:${problem.type}`,
    title: TITLES[problem.type],
    status: problem.status,
    detail: problem.detail,
    instance,
    ...(requestId ? { request_id: requestId } : {}),
    ...(problem.extra.errors ? { errors: problem.extra.errors } : {}),
  };
}

export function problemResponse(problem: ApiProblem, instance: string, requestId?: string): Response {
  return new Response(JSON.stringify(problemBody(problem, instance, requestId)), {
    status: problem.status,
    headers: { "content-type": "application/problem+json", ...problem.extra.headers },
  });
}

export const notFound = (what: string) => new ApiProblem(404, "not-found", `${what} does not exist`);
export const conflict = (detail: string) => new ApiProblem(409, "conflict", detail);
export const invalid = (field: string, detail: string, where = "json") =>
  new ApiProblem(400, "validation", `${field}: ${detail}`, { errors: [{ field, detail, in: where }] });

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:facteur:problem:validation" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    request_id: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), detail: z.string(), in: z.string().optional() }))
      .optional()
      .openapi({ description: "One entry per bad field" }),
  })
  .openapi("Problem");
