/**
 * Secret comparison in constant time, so response timing does not reveal how many leading
 * characters of a guessed token were right. workerd provides `crypto.subtle.timingSafeEqual`
 * (a Cloudflare extension); it requires equal lengths, so both sides are hashed first: the
 * digests always have the same length and comparing them leaks nothing about the secrets.
 */
import { utf8 } from "./encoding";

export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  if (expected === "") return false;
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", utf8(given)),
    crypto.subtle.digest("SHA-256", utf8(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
