/**
 * Webhook signing secrets: `whsec_` + base64 of 32 random bytes (the Standard Webhooks format),
 * sealed at rest with KEY_ENCRYPTION_KEY like DKIM private keys. The context binds a sealed value
 * to its webhook, so a sealed secret copied to another row does not open.
 */
import { decryptSecret, encryptSecret } from "../credentials/key-encryption";

export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** A secret given by the client: whsec_ and base64 of 24 to 64 bytes (the spec's range). */
export function isWebhookSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match?.[1]) return false;
  try {
    const length = atob(match[1]).length;
    return length >= 24 && length <= 64;
  } catch {
    return false;
  }
}

const context = (webhookId: string) => `webhook-secret:${webhookId}`;

export function sealWebhookSecret(env: Pick<Env, "KEY_ENCRYPTION_KEY">, webhookId: string, secret: string) {
  return encryptSecret(env.KEY_ENCRYPTION_KEY, secret, context(webhookId));
}

export function openWebhookSecret(env: Pick<Env, "KEY_ENCRYPTION_KEY">, webhookId: string, sealed: string) {
  return decryptSecret(env.KEY_ENCRYPTION_KEY, sealed, context(webhookId));
}
