/** Shared helpers for the API tests: one app, request shortcuts, fresh client addresses. */
import { env } from "cloudflare:test";
import { createApp } from "../../src/api";

export const app = createApp();
export const ADMIN = "test-admin-token";
export const BASE = "https://facteur.test";

let ipCounter = 0;
/** A fresh CF-Connecting-IP per call, so failure throttling in one test cannot leak into another. */
export function freshIp(): string {
  ipCounter++;
  return `198.51.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: BodyInit;
  contentType?: string;
  headers?: Record<string, string>;
  ip?: string;
  env?: object;
}

export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { "cf-connecting-ip": options.ip ?? freshIp(), ...options.headers };
  const token = options.token === undefined ? ADMIN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    if (options.contentType) headers["content-type"] = options.contentType;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = options.contentType ?? "application/json";
  }
  return app.request(`${BASE}${path}`, { method, headers, body }, { ...env, ...options.env });
}

// biome-ignore lint/suspicious/noExplicitAny: test helper returning parsed JSON of any shape
export async function jsonOf(response: Response): Promise<any> {
  return response.json();
}

export async function ok<T = unknown>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export async function createDomainFixture(name: string): Promise<void> {
  await ok(await call("POST", "/api/v1/domains", { body: { name } }), 201);
}

export async function createTokenFixture(scopes: string[], user?: string): Promise<{ id: string; token: string }> {
  return ok(
    await call("POST", "/api/v1/tokens", {
      body: { name: `t-${scopes.join("-")}`, scopes, ...(user ? { user } : {}) },
    }),
    201,
  );
}
