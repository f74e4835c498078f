/** Rendering helpers: a full page for the signed-in principal, and error pages. */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ApiReply } from "../api/in-process";
import type { WebEnv } from "./env";
import { Layout } from "./layout";

export function render(c: Context<WebEnv>, title: string, body: Child, status = 200, current?: string) {
  return c.html(
    <Layout title={title} principal={c.get("principal")} csrf={c.get("csrf")} current={current}>
      {body}
    </Layout>,
    status as 200,
  );
}

export function errorPage(c: Context<WebEnv>, status: number, message: string) {
  const title = status === 403 ? "Not allowed" : status === 404 ? "Not found" : status === 429 ? "Slow down" : "Error";
  return render(
    c,
    title,
    <p>
      {message} <a href="/admin">Back to the start page</a>
    </p>,
    status,
  );
}

/** An error the API answered, as a page with its status (403 and 404 stay 403 and 404). */
export class ApiFailure extends Error {
  constructor(readonly reply: ApiReply) {
    super(problemText(reply));
  }
}

export function problemText(reply: ApiReply): string {
  const body = reply.body;
  if (body && typeof body === "object" && typeof body.detail === "string") return body.detail;
  return `the request failed with status ${reply.status}`;
}

/** The API's per-field errors (RFC 9457 `errors`), by field name, for showing beside each field. */
export function fieldErrors(reply: ApiReply): Record<string, string> {
  const out: Record<string, string> = {};
  const errors = reply.body?.errors;
  if (Array.isArray(errors)) {
    for (const error of errors) {
      const field = String(error?.pointer ?? error?.field ?? error?.path ?? "")
        .replace(/^#?\/?/, "")
        .split(/[./]/)[0];
      if (field && !out[field]) out[field] = String(error?.detail ?? error?.message ?? "invalid");
    }
  }
  return out;
}
