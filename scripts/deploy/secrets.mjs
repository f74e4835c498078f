// Values for the Worker's secrets, generated only for those not set yet (never overwritten).
import { randomBytes } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";

/** KEY_ENCRYPTION_KEY is an AES-256-GCM key: base64 of 32 random bytes (README, Secrets). */
export function generateSecret(name) {
  if (name === "KEY_ENCRYPTION_KEY") return randomBytes(32).toString("base64");
  // 32 random bytes for HMAC keys and the bootstrap bearer token, URL-safe so it pastes anywhere.
  return randomBytes(32).toString("base64url");
}

/**
 * Writes the missing secrets to a file readable only by this user, for `wrangler deploy --secrets-file`,
 * with `given` values (taken from the environment) beside the generated ones. Returns the generated ones.
 */
export function writeSecretsFile(path, names, given = {}) {
  const values = Object.fromEntries(names.map((name) => [name, generateSecret(name)]));
  writeFileSync(path, JSON.stringify({ ...given, ...values }), { mode: 0o600 });
  chmodSync(path, 0o600);
  return values;
}
