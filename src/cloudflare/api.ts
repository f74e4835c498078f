/**
 * The transport under the Cloudflare client (client.ts): `fetch` against API v4, as Cloudflare
 * documents it (developers.cloudflare.com/fundamentals/api/):
 *
 * - every body is the envelope `{success, errors, messages, result}`; anything but `success: true`
 *   (or a non-2xx status) is a CloudflareApiError carrying the HTTP status and Cloudflare's error codes,
 *   so sync can name the permission a 403 lacks;
 * - lists page through `page`/`per_page`, with `result_info {page, per_page, total_pages}`;
 * - 429 and 5xx are retried (a few times) after `Retry-After` (seconds or an HTTP date, RFC 9110
 *   section 10.2.3), or an exponential backoff when the answer has none; a network error too.
 *
 * No request or response shape is declared here: client.ts types every call with the official
 * SDK's own types (type-only imports, erased at build, so none of the SDK's modules is loaded).
 */

export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

export interface CloudflareOptions {
  apiToken: string;
  baseURL?: string;
  /** Retries of a 429, 5xx or network error (default 3). */
  maxRetries?: number;
}

interface Envelope<T> {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: T;
  result_info?: { page?: number; per_page?: number; total_pages?: number; count?: number };
}

export class CloudflareApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: { code?: number; message?: string }[],
    method: string,
    path: string,
  ) {
    const detail = errors.map((e) => `${e.code ?? "?"} ${e.message ?? ""}`.trim()).join("; ") || "no error detail";
    super(`Cloudflare API ${method} ${path}: ${status} ${detail}`);
    this.name = "CloudflareApiError";
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

/** Retry-After in ms (delta-seconds or HTTP-date), or null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** A wait is never longer than this: a sync run is one cron invocation. */
const MAX_WAIT_MS = 60_000;
const backoffMs = (attempt: number) => Math.min(8000, 500 * 2 ** attempt);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const retryable = (status: number) => status === 429 || status >= 500;

export interface Transport {
  request<T>(method: string, path: string, options?: { query?: Query; body?: unknown }): Promise<T>;
  list<T>(path: string, query?: Query): AsyncIterable<T>;
}

export function cloudflareTransport(options: CloudflareOptions): Transport {
  const base = (options.baseURL || CLOUDFLARE_API).replace(/\/+$/, "");
  const maxRetries = options.maxRetries ?? 3;

  async function send<T>(method: string, path: string, query: Query = {}, body?: unknown): Promise<Envelope<T>> {
    const url = new URL(base + path);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const init: RequestInit = {
      method,
      headers: {
        authorization: `Bearer ${options.apiToken}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, init);
      } catch (error) {
        if (attempt >= maxRetries) throw error;
        await sleep(backoffMs(attempt));
        continue;
      }
      if (retryable(response.status) && attempt < maxRetries) {
        await response.body?.cancel();
        await sleep(Math.min(MAX_WAIT_MS, retryAfterMs(response.headers.get("retry-after")) ?? backoffMs(attempt)));
        continue;
      }
      // A body that is not Cloudflare's envelope (a proxy's error page) is an error too.
      const envelope = (await response.json().catch(() => ({}))) as Envelope<T>;
      if (!response.ok || envelope.success !== true)
        throw new CloudflareApiError(response.status, envelope.errors ?? [], method, path);
      return envelope;
    }
  }

  return {
    async request<T>(method: string, path: string, { query, body }: { query?: Query; body?: unknown } = {}) {
      return (await send<T>(method, path, query, body)).result as T;
    },
    async *list<T>(path: string, query: Query = {}) {
      for (let page = Number(query.page ?? 1); ; page++) {
        const envelope = await send<T[]>("GET", path, { ...query, page });
        const items = envelope.result ?? [];
        yield* items;
        const info = envelope.result_info;
        const last =
          items.length === 0 ||
          (typeof info?.total_pages === "number"
            ? page >= info.total_pages
            : items.length < (info?.per_page ?? Number.POSITIVE_INFINITY));
        if (last) return;
      }
    },
  };
}
