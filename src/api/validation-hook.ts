/**
 * The one validation hook (defaultHook): a zod failure becomes a 400 problem whose `errors` name
 * every bad field by its dotted path ("destinations.0") and where it was (json, query, param).
 */
import type { Hook } from "@hono/zod-openapi";
import type { ApiEnv } from "./env";
import { ApiProblem, type FieldError } from "./problem";

// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input type
export const validationHook: Hook<any, ApiEnv, any, any> = (result) => {
  if (result.success) return;
  const errors: FieldError[] = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(body)",
    detail: issue.message,
    in: result.target,
  }));
  const summary = errors.map((e) => `${e.field}: ${e.detail}`).join("; ");
  throw new ApiProblem(400, "validation", summary.length > 500 ? `${summary.slice(0, 500)}…` : summary, { errors });
};
