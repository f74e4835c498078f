/**
 * Which URLs a webhook may POST to. Message content goes there, so it must travel encrypted:
 * `https://` only. In development (ENVIRONMENT = "development") a plain `http://` receiver on the
 * loopback host is allowed too, so it can be tested without certificates.
 */

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Why `url` is refused, or null when it is acceptable. */
export function webhookUrlProblem(url: string, environment: string | undefined): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "not an absolute URL";
  }
  if (parsed.username || parsed.password) return "credentials in the URL are not allowed; use the signing secret";
  if (parsed.protocol === "https:") return null;
  if (parsed.protocol === "http:" && environment === "development" && LOOPBACK_HOSTS.has(parsed.hostname)) {
    return null;
  }
  return environment === "development"
    ? "must be https:// (http:// only for localhost)"
    : "must be https:// in production";
}
