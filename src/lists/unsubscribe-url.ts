/**
 * The per-member one-click unsubscribe URL (RFC 8058): `<base>/lists/unsubscribe/<token>`, the
 * token naming list and member and signed with HMAC-SHA256 under LIST_SECRET, so the URL cannot
 * be forged for someone else and needs no database row. It does not expire: RFC 8058 section 3.1
 * expects the URL in an old message to keep working.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { lookupKey } from "../mail/address";

/** 128 bits of MAC: enough against forgery, short enough to keep the header readable. */
const MAC_BYTES = 16;

function b64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function mac(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(`unsubscribe\n${payload}`).digest().subarray(0, MAC_BYTES);
}

export function unsubscribeToken(secret: string, list: string, member: string): string {
  const payload = `${lookupKey(list)}\n${lookupKey(member)}`;
  return `${b64url(payload)}.${b64url(mac(secret, payload))}`;
}

/** { list, member } for a valid token; null for anything forged or malformed. */
export function verifyUnsubscribeToken(secret: string, token: string): { list: string; member: string } | null {
  const dot = token.indexOf(".");
  if (dot <= 0 || token.length > 1024) return null;
  let payload: string;
  let given: Buffer;
  try {
    payload = Buffer.from(token.slice(0, dot), "base64url").toString("utf8");
    given = Buffer.from(token.slice(dot + 1), "base64url");
  } catch {
    return null;
  }
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [list, member, extra] = payload.split("\n");
  if (!list || !member || extra !== undefined) return null;
  return { list, member };
}

/**
 * Where the Worker serves the unsubscribe endpoints. PUBLIC_URL (a var, e.g.
 * https://lists.example.org) when set; otherwise https://<list domain>, which works when the
 * Worker has a route on that host.
 */
export function publicBaseUrl(env: Pick<Env, "PUBLIC_URL">, listDomain: string): string {
  const configured = env.PUBLIC_URL;
  return (configured || `https://${listDomain}`).replace(/\/+$/, "");
}

export function unsubscribeUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/lists/unsubscribe/${token}`;
}
