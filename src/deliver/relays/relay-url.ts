/**
 * Parses a RELAY_URL (see config.ts for the forms) into a RelayConfig, or throws a
 * RelayConfigError that says what is wrong and how to fix it. Error messages never repeat the
 * URL's credentials.
 */
import type { RelayConfig } from "./config";
import { RelayConfigError } from "./relay-config-error";
import { isLoopbackHost } from "./smtp/session";

export { RelayConfigError } from "./relay-config-error";

export const MAILGUN_BASE_URLS = { us: "https://api.mailgun.net", eu: "https://api.eu.mailgun.net" } as const;

/** Default EHLO name when neither `?helo=` nor the caller gives one. */
const DEFAULT_HELO_NAME = "localhost";

const SCHEMES = "smtp+starttls://, smtps://, smtp:// (loopback only), cloudflare:, mailgun://, capture:";

function fail(message: string): never {
  throw new RelayConfigError(`RELAY_URL: ${message}`);
}

function onlyParams(url: URL, allowed: string[]): void {
  for (const name of url.searchParams.keys()) {
    if (!allowed.includes(name)) {
      const hint = allowed.length > 0 ? `allowed: ${allowed.join(", ")}` : "none are allowed";
      fail(`unknown parameter "${name}" for ${url.protocol} (${hint})`);
    }
  }
}

function parseSmtp(url: URL, security: "starttls" | "tls" | "none", heloName: string): RelayConfig {
  const scheme = url.protocol.slice(0, -1);
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (!host) fail(`${scheme}:// needs a host, e.g. ${scheme}://user:pass@smtp.example.net`);
  if (url.pathname !== "" && url.pathname !== "/") fail(`${scheme}:// takes no path (got "${url.pathname}")`);
  onlyParams(url, ["helo", "sessions", "messages", "idle", "errors"]);
  const defaultPort = security === "tls" ? 465 : security === "starttls" ? 587 : undefined;
  const port = url.port ? Number(url.port) : defaultPort;
  if (port === undefined) fail("smtp:// needs an explicit port, e.g. smtp://127.0.0.1:2525");
  if (port === 25) {
    fail(
      "port 25 is blocked for outbound connections from Workers (cloudflare:sockets); use the relay's submission port: smtp+starttls://…:587 or smtps://…:465",
    );
  }
  if (security === "none" && !isLoopbackHost(host)) {
    fail(
      `smtp:// (no TLS) is only for a loopback test sink, not ${host}; use smtp+starttls://${host}:587 or smtps://${host}:465`,
    );
  }
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  if (password !== undefined && username === undefined) fail(`${scheme}:// has a password but no user name`);
  if (username !== undefined && password === undefined) {
    fail(
      `${scheme}:// has a user name but no password (write user:password@host, percent-encoding special characters)`,
    );
  }
  const helo = url.searchParams.get("helo") ?? heloName;
  if (!/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(helo))
    fail(`helo name "${helo}" is not a host name or address literal`);
  const sessions = sessionParams(url);
  return {
    kind: "smtp",
    host,
    port,
    security,
    heloName: helo,
    ...(username !== undefined ? { username, password } : {}),
    ...(sessions ? { sessions } : {}),
  };
}

/**
 * `?sessions=N` (open at once), `?messages=N` (per session), `?idle=S` (seconds before closing),
 * `?errors=N` (error replies before a fresh session).
 */
function sessionParams(url: URL): Extract<RelayConfig, { kind: "smtp" }>["sessions"] {
  const positive = (name: string, max: number): number | undefined => {
    const text = url.searchParams.get(name);
    if (text === null) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max) fail(`?${name}= must be a whole number from 1 to ${max}`);
    return value;
  };
  const maxSessions = positive("sessions", 6);
  const maxMessages = positive("messages", 10_000);
  const idle = positive("idle", 300);
  const maxErrors = positive("errors", 1000);
  if ([maxSessions, maxMessages, idle, maxErrors].every((v) => v === undefined)) return undefined;
  return {
    ...(maxErrors !== undefined ? { maxErrors } : {}),
    ...(maxSessions !== undefined ? { maxSessions } : {}),
    ...(maxMessages !== undefined ? { maxMessages } : {}),
    ...(idle !== undefined ? { idleMs: idle * 1000 } : {}),
  };
}

function parseMailgun(url: URL): RelayConfig {
  const apiKey = url.username ? decodeURIComponent(url.username) : "";
  const domain = url.hostname.toLowerCase();
  if (!apiKey || !domain) fail("mailgun:// needs an API key and a sending domain: mailgun://KEY@mg.example.com");
  if (url.password) fail("mailgun:// takes the API key as the user part only: mailgun://KEY@mg.example.com");
  if (url.port) fail("mailgun:// takes no port (the API is reached over HTTPS)");
  if (url.pathname !== "" && url.pathname !== "/") fail(`mailgun:// takes no path (got "${url.pathname}")`);
  onlyParams(url, ["region", "base"]);
  const region = url.searchParams.get("region");
  const base = url.searchParams.get("base");
  if (region !== null && base !== null) fail("mailgun:// takes either ?region= or ?base=, not both");
  let baseUrl: string = MAILGUN_BASE_URLS.us;
  if (region !== null) {
    if (region !== "us" && region !== "eu") fail(`mailgun:// region must be "us" or "eu" (got "${region}")`);
    baseUrl = MAILGUN_BASE_URLS[region];
  }
  if (base !== null) {
    let parsed: URL;
    try {
      parsed = new URL(base);
    } catch {
      fail(`mailgun:// ?base= is not a URL: "${base}"`);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") fail("mailgun:// ?base= must be an http(s) URL");
    baseUrl = parsed.href.replace(/\/+$/, "");
  }
  return { kind: "mailgun", apiKey, domain, baseUrl };
}

/** `cloudflare:` or `cloudflare:?lists=allow` (list fan-out through Email Sending, by opt-in). */
function parseCloudflare(url: URL): RelayConfig {
  if (url.href === "cloudflare:") return { kind: "cloudflare" };
  if (url.href === "cloudflare:?lists=allow") return { kind: "cloudflare", allowLists: true };
  fail('"cloudflare:" takes nothing after the colon but ?lists=allow');
}

function parseBare(url: URL, kind: "capture"): RelayConfig {
  if (url.href !== `${kind}:`) fail(`"${kind}:" takes nothing after the colon`);
  return { kind };
}

export function parseRelayUrl(text: string, defaults: { heloName?: string } = {}): RelayConfig {
  const trimmed = text.trim();
  if (!trimmed) fail(`empty; expected one of ${SCHEMES}`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    fail(`not a URL; expected one of ${SCHEMES}`);
  }
  const heloName = defaults.heloName ?? DEFAULT_HELO_NAME;
  switch (url.protocol) {
    case "smtp+starttls:":
      return parseSmtp(url, "starttls", heloName);
    case "smtps:":
      return parseSmtp(url, "tls", heloName);
    case "smtp:":
      return parseSmtp(url, "none", heloName);
    case "mailgun:":
      return parseMailgun(url);
    case "cloudflare:":
      return parseCloudflare(url);
    case "capture:":
      return parseBare(url, "capture");
    default:
      fail(`unsupported scheme "${url.protocol}"; expected one of ${SCHEMES}`);
  }
}
