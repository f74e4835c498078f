/**
 * Response headers of every /admin page: a strict CSP (no inline script, nothing from another
 * origin; the held-post preview frame is same-origin and sandboxed), no framing by others
 * (clickjacking), no referrer beyond this origin, no MIME sniffing, no caching of private pages.
 */
import type { MiddlewareHandler } from "hono";

export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The held post's HTML, shown inside the sandboxed frame: no script at all, no remote images or
 * fonts (only data: images), inline styles allowed because mail HTML is styled inline. Framed
 * only by this origin's own pages.
 */
export const PREVIEW_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src data:",
  "frame-ancestors 'self'",
  "sandbox",
].join("; ");

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const headers = c.res.headers;
  if (!headers.has("content-security-policy")) headers.set("content-security-policy", PAGE_CSP);
  headers.set("referrer-policy", "same-origin");
  headers.set("x-content-type-options", "nosniff");
  headers.set("cache-control", "no-store");
  if (!headers.has("x-frame-options")) headers.set("x-frame-options", "DENY");
};
