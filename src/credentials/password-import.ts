/**
 * Issue 10 item 12: re-importing a users file must not re-run PBKDF2 (100,000 iterations, tens of
 * ms of CPU each) for every user whose password did not change. Comparing a clear-text password
 * with a salted hash needs PBKDF2, so the importer keeps a keyed fingerprint of what it last
 * checked: HMAC-SHA256(k, name NUL stored-hash NUL password), k derived from KEY_ENCRYPTION_KEY.
 *
 * Binding the stored hash means a password changed since (API, web) no longer matches, and the
 * importer verifies with PBKDF2 again. The key is a secret: the database alone gives no fast way
 * to test guesses. With the database AND the secret one could test guesses at HMAC speed for the
 * users that were imported in clear text; an operator who minds imports `password_hash` instead
 * (README, Security).
 */
import { toBase64, utf8 } from "./encoding";

const CONTEXT = "facteur password-import fingerprint v1";

async function fingerprintKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest("SHA-256", utf8(`${CONTEXT}\0${secret}`));
  return crypto.subtle.importKey("raw", material, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

export async function passwordImportFingerprint(
  secret: string,
  input: { name: string; passwordHash: string; password: string },
): Promise<string> {
  const key = await fingerprintKey(secret);
  const mac = await crypto.subtle.sign("HMAC", key, utf8(`${input.name}\0${input.passwordHash}\0${input.password}`));
  return toBase64(mac);
}
