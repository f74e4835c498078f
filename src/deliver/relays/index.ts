/**
 * Picks the relay: a RelayConfig becomes a Relay (`createRelay`), and one of our domains gets the
 * relay of its `domains.relay_url` override or of RELAY_URL (`relayForDomain`).
 *
 * Relays are built once per isolate and URL: parsing and validating happen once, and a bad URL is
 * one clear RelayConfigError (the consumer logs it once and defers the job) instead of a crash
 * per message.
 */
import { findDomainRelayUrl } from "../../store/domains";
import type { Relay } from "../relay";
import { createCaptureRelay } from "./capture";
import { createCloudflareRelay, type SendEmailBinding } from "./cloudflare";
import type { RelayConfig } from "./config";
import { createMailgunRelay } from "./mailgun";
import { RelayConfigError } from "./relay-config-error";
import { parseRelayUrl } from "./relay-url";
import { createSmtpRelay } from "./smtp";

export { RelayConfigError } from "./relay-config-error";

/**
 * Env as the relays see it. SEND_EMAIL is optional: it exists only when wrangler.toml declares
 * `[[send_email]] name = "SEND_EMAIL"`, which only the `cloudflare:` relay needs.
 */
export type RelayEnv = Pick<Env, "DB" | "MAIL"> & { SEND_EMAIL?: SendEmailBinding };

export function createRelay(config: RelayConfig, env: RelayEnv): Relay {
  switch (config.kind) {
    case "smtp":
      return createSmtpRelay(config);
    case "mailgun":
      return createMailgunRelay(config);
    case "cloudflare":
      return createCloudflareRelay(env, { allowLists: config.allowLists === true });
    case "capture":
      return createCaptureRelay(env);
  }
}

// Keyed by env object then URL: tests run several envs in one isolate, and a relay holds env bindings.
const relays = new WeakMap<object, Map<string, Relay | RelayConfigError>>();

/** The relay for a URL, built once per env and URL. Throws RelayConfigError for a bad URL. */
export function relayFromUrl(url: string, env: RelayEnv): Relay {
  let byUrl = relays.get(env);
  if (!byUrl) {
    byUrl = new Map();
    relays.set(env, byUrl);
  }
  let relay = byUrl.get(url);
  if (!relay) {
    try {
      relay = createRelay(parseRelayUrl(url), env);
    } catch (error) {
      relay =
        error instanceof RelayConfigError
          ? error
          : new RelayConfigError(`relay URL unusable: ${(error as Error).message}`);
    }
    byUrl.set(url, relay);
  }
  if (relay instanceof RelayConfigError) throw relay;
  return relay;
}

/** Where mail of `domain` goes: its relay_url override in D1, else RELAY_URL. */
export async function relayUrlForDomain(env: Pick<Env, "DB" | "RELAY_URL">, domain: string): Promise<string> {
  const url = (await findDomainRelayUrl(env.DB, domain)) || env.RELAY_URL;
  if (!url) throw new RelayConfigError("no relay configured: set RELAY_URL (e.g. capture: for development)");
  return url;
}

export async function relayForDomain(env: Env, domain: string): Promise<Relay> {
  return relayFromUrl(await relayUrlForDomain(env, domain), env as RelayEnv);
}
