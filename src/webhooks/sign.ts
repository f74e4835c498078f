/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme"): the
 * `standardwebhooks` package signs `${id}.${timestamp}.${body}` with HMAC-SHA256 and formats
 * `v1,<base64>`; it is plain JavaScript and runs in workerd, so the reference implementation is
 * used rather than a second one.
 *
 * The raw-message link is signed with the same secret: only the webhook's receiver can have
 * asked for it, and deleting the webhook revokes every link it was given.
 */
import { Webhook } from "standardwebhooks";
import { secretsEqual } from "../credentials/constant-time";

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export function signWebhook(secret: string, id: string, at: Date, body: string): SignedHeaders {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, at, body),
  };
}

function secretBytes(secret: string): Uint8Array {
  return Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
}

async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", secretBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Query string (`expires=…&signature=…`) of a link to a delivery's raw message, valid until `expires` (s). */
export async function rawLinkQuery(secret: string, deliveryId: string, expires: number): Promise<string> {
  return `expires=${expires}&signature=${await hmacHex(secret, `raw:${deliveryId}:${expires}`)}`;
}

/** True when `signature` is this delivery's link signature for `expires` and it has not expired. */
export async function verifyRawLink(
  secret: string,
  deliveryId: string,
  expires: number,
  signature: string,
  nowSeconds: number,
): Promise<boolean> {
  if (!Number.isInteger(expires) || expires < nowSeconds) return false;
  return secretsEqual(signature, await hmacHex(secret, `raw:${deliveryId}:${expires}`));
}
