/** Pages call the admin API in-process as the signed-in principal (api/in-process.ts). */
import type { Context } from "hono";
import type { Access } from "../api/access";
import type { ApiReply } from "../api/in-process";
import type { WebEnv } from "./env";
import { ApiFailure } from "./respond";

function accessOf(c: Context<WebEnv>): Access {
  const access = c.get("principal")?.access;
  if (!access) throw new ApiFailure({ status: 403, body: { detail: "this page needs an operator or a user" } });
  return access;
}

/** A read whose failure (403, 404…) becomes the error page with the same status. */
// biome-ignore lint/suspicious/noExplicitAny: JSON of the route's response schema
export async function apiGet(c: Context<WebEnv>, path: string): Promise<any> {
  const reply = await c.get("api")(accessOf(c), "GET", path);
  if (reply.status >= 400) throw new ApiFailure(reply);
  return reply.body;
}

/** A change; the page shows the reply's problem beside the fields it names. */
export function apiSend(c: Context<WebEnv>, method: string, path: string, body?: unknown): Promise<ApiReply> {
  return c.get("api")(accessOf(c), method, path, body);
}

export const enc = encodeURIComponent;

export function query(params: Record<string, string | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}

export async function formOf(c: Context<WebEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") out[key] = first;
  }
  return out;
}

/** All values of a repeated field (checkboxes). */
export async function formAll(c: Context<WebEnv>, name: string): Promise<string[]> {
  const value = (await c.req.parseBody({ all: true }))[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === "string");
}
