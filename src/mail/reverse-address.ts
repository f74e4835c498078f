/**
 * The local part of a reverse address (README "Reverse aliases"): "rv-" and 26 base32 characters
 * of 16 random bytes (128 bits: unguessable, not derived from anything an attacker knows), 29
 * octets in all, well within RFC 5321 section 4.5.3.1.1's 64-octet local part. Lower case only,
 * because senders do not preserve case (RFC 5321 section 2.4) and routing matches lower-cased.
 * The (alias, correspondent) binding is the contacts row holding it, not the string itself.
 */
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
export const REVERSE_PREFIX = "rv-";
const RANDOM_BYTES = 16;

export function mintReverseLocal(): string {
  const bytes = new Uint8Array(RANDOM_BYTES);
  crypto.getRandomValues(bytes);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return `${REVERSE_PREFIX}${out}`;
}
