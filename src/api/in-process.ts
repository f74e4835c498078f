/**
 * The admin API called in-process, as an already-authenticated principal: the web interface
 * (src/web/) turns a signed-in session into an Access and runs the very same route, so its guard,
 * validation, rules and problem responses are the API's own and a page can do only what the
 * principal's API scope allows.
 *
 * The Access travels in a WeakMap keyed by the Request object that this module itself creates:
 * a request arriving from the network is never a key, so no header or body can claim an Access.
 */
import type { Access } from "./access";

const PRESET = new WeakMap<Request, Access>();

/** The Access an in-process call was made with, or undefined for a request from the network. */
export function presetAccess(request: Request): Access | undefined {
  return PRESET.get(request);
}

export interface ApiReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes; each page reads its own.
  body: any;
}

export type ApiCaller = (access: Access, method: string, path: string, body?: unknown) => Promise<ApiReply>;

type FetchApp = { fetch(request: Request, env: Env, ctx?: ExecutionContext): Response | Promise<Response> };

/** A caller over the Hono app; `path` is under /api/v1 and may carry a query string. */
export function inProcessCaller(app: FetchApp, env: Env, ctx?: ExecutionContext): ApiCaller {
  return async (access, method, path, body) => {
    const request = new Request(`http://in-process/api/v1${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    PRESET.set(request, access);
    const response = await app.fetch(request, env, ctx);
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  };
}
