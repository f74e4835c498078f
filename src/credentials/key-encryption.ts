/**
 * Encryption of secrets at rest (DKIM private keys) with AES-256-GCM under KEY_ENCRYPTION_KEY.
 *
 * The secret is base64 of at least 32 random bytes. The AES key is derived from it with HKDF-SHA256
 * (RFC 5869), so a secret of any length >= 32 bytes gives a proper 256-bit key, and the same
 * secret could serve other purposes under another `info` without key reuse. The row identity
 * (e.g. "dkim:example.com:sel1") is the GCM additional data: a ciphertext copied onto another row
 * fails to decrypt instead of signing for the wrong domain.
 *
 * Stored form: `v1.<iv base64>.<ciphertext+tag base64>`.
 */
import { fromBase64, toBase64, utf8 } from "./encoding";

export class KeyEncryptionError extends Error {
  override name = "KeyEncryptionError";
}

/** NIST SP 800-38D: a 96-bit random IV per message. */
const IV_BYTES = 12;
const MIN_SECRET_BYTES = 32;

const keys = new Map<string, Promise<CryptoKey>>();

function importKek(secret: string | undefined): Promise<CryptoKey> {
  if (!secret) throw new KeyEncryptionError("KEY_ENCRYPTION_KEY is not set (base64 of 32 random bytes)");
  let cached = keys.get(secret);
  if (!cached) {
    let raw: Uint8Array;
    try {
      raw = fromBase64(secret.trim());
    } catch {
      throw new KeyEncryptionError("KEY_ENCRYPTION_KEY is not valid base64");
    }
    if (raw.length < MIN_SECRET_BYTES) {
      throw new KeyEncryptionError(`KEY_ENCRYPTION_KEY must decode to at least ${MIN_SECRET_BYTES} bytes`);
    }
    cached = crypto.subtle
      .importKey("raw", raw, "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: utf8("facteur key encryption v1") },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keys.set(secret, cached);
  }
  return cached;
}

export async function encryptSecret(kek: string | undefined, plaintext: string, context: string): Promise<string> {
  const key = await importKek(kek);
  const iv = new Uint8Array(IV_BYTES);
  crypto.getRandomValues(iv);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(context) },
    key,
    utf8(plaintext),
  );
  return `v1.${toBase64(iv)}.${toBase64(sealed)}`;
}

export async function decryptSecret(kek: string | undefined, stored: string, context: string): Promise<string> {
  const key = await importKek(kek);
  const [version, ivText, sealedText] = stored.split(".");
  if (version !== "v1" || !ivText || !sealedText) throw new KeyEncryptionError("unknown encrypted secret format");
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(ivText), additionalData: utf8(context) },
      key,
      fromBase64(sealedText),
    );
    return new TextDecoder().decode(plain);
  } catch {
    // Wrong KEY_ENCRYPTION_KEY, a tampered row, or a ciphertext moved to another row.
    throw new KeyEncryptionError(`cannot decrypt the secret for ${context}`);
  }
}
