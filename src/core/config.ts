/**
 * Typed configuration read once per invocation from `env` vars. A bad value is a clear
 * configuration error at the first message, never a silent default.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface Config {
  authservId: string;
  dohUrl: string;
  maxMessageBytes: number;
  maxReceivedHeaders: number;
  /** Matches the "by" host of a Received header written by a receiver we trust (SPF input). */
  trustedReceivers: RegExp | null;
  srsSecret: string;
}

/** Email Routing accepts messages up to 25 MiB (DESIGN.md), so that is the default cap. */
const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
/** RFC 5321 section 6.3 suggests a loop after "a large number" of Received fields; Postfix uses 50. */
const DEFAULT_MAX_RECEIVED_HEADERS = 50;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const cache = new WeakMap<object, Config>();

export function readConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  let trustedReceivers: RegExp | null = null;
  if (env.TRUSTED_RECEIVERS) {
    try {
      trustedReceivers = new RegExp(env.TRUSTED_RECEIVERS, "i");
    } catch (error) {
      throw new ConfigError(`TRUSTED_RECEIVERS is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  const config: Config = {
    authservId: env.AUTHSERV_ID || "facteur",
    dohUrl: env.DOH_URL || "https://cloudflare-dns.com/dns-query",
    maxMessageBytes: positiveInt("MAX_MESSAGE_BYTES", env.MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES),
    maxReceivedHeaders: positiveInt("MAX_RECEIVED_HEADERS", env.MAX_RECEIVED_HEADERS, DEFAULT_MAX_RECEIVED_HEADERS),
    trustedReceivers,
    srsSecret: env.SRS_SECRET ?? "",
  };
  cache.set(env, config);
  return config;
}
