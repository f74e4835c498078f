// The typed client: openapi-fetch over the paths generated from the Worker's own OpenAPI document
// (api-types.ts, `npm run cli:types`), so every path, parameter and body here is checked by tsc.
import createClient from "openapi-fetch";
import type { paths } from "./api-types.ts";
import type { Settings } from "./settings.ts";

export type Client = ReturnType<typeof createClient<paths>>;

/** A request the API refused or could not answer: exit code 1. */
export class ApiError extends Error {
  // Plain fields, not parameter properties: Node's type stripping cannot run those.
  readonly status: number;
  readonly problem?: unknown;
  constructor(message: string, status: number, problem?: unknown) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

export function client(settings: Settings, fetchImpl: typeof fetch = fetch): Client {
  return createClient<paths>({
    baseUrl: settings.url,
    headers: { Authorization: `Bearer ${settings.token}` },
    fetch: fetchImpl,
  });
}

interface Problem {
  title?: string;
  detail?: string;
  errors?: { field: string; detail: string }[];
}

/** Unwraps an openapi-fetch result: the data, or an ApiError built from the RFC 9457 problem. */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  let result: Awaited<typeof request>;
  try {
    result = await request;
  } catch (error) {
    throw new ApiError(`cannot reach the Worker: ${(error as Error).message}`, 0);
  }
  if (result.error !== undefined || !result.response.ok) {
    const problem = (result.error ?? {}) as Problem;
    const fields = (problem.errors ?? []).map((e) => `\n  ${e.field}: ${e.detail}`).join("");
    const what = problem.detail ?? problem.title ?? result.response.statusText;
    throw new ApiError(`${result.response.status} ${what}${fields}`, result.response.status, result.error);
  }
  return result.data as NonNullable<T>;
}
