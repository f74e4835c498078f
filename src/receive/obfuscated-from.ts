/**
 * A From field that reads differently to a mail client than to the DMARC check. RFC 7489 section
 * 6.6.1 lets a receiver reject mail whose author domain cannot be determined; these tricks are the
 * hostile case of it:
 * - "ceo@bank.example" + zero-width space, or a soft hyphen or ZWJ inside the domain: the reader
 *   sees bank.example, the DMARC lookup (after IDNA encoding) asks about another, unpublished,
 *   name and finds no policy, so p=reject never applies;
 * - a BOM or another invisible character between labels ("ceo@bank<BOM>.example"): parsers cut the
 *   address at it ("ceo@bank") while the reader still sees "ceo@bank.example";
 * - NUL, other control characters and undecodable 8-bit bytes in the address: every parser guesses
 *   differently.
 * None of these characters has a place in an addr-spec (RFC 5322 section 3.4.1, RFC 6532 section
 * 3.2), and the invisible ones have no business in a display name either, so the whole field is
 * refused instead of being repaired (a repaired field would still show the reader the trick).
 * ZWJ/ZWNJ and variation selectors are allowed in display names (emoji and several scripts need
 * them), never in an address.
 */
import { addressParser } from "postal-mime";

// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting them is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
/** Characters that render as nothing: soft hyphen, CGJ, ALM, fillers, ZWSP, LRM/RLM, bidi embeddings and isolates, word joiner, BOM, interlinear annotations. */
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is matched on its own, on purpose
  /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]/;
/** In an address, also any kind of space, ZWNJ/ZWJ, variation selectors and U+FFFD (bytes that were not UTF-8). */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is matched on its own, on purpose
const NOT_IN_ADDRESS = /[\s\u200c\u200d\ufe00-\ufe0f\ufffd]/;

/** True when the unfolded From field value `value` hides or alters the author's address. */
export function isObfuscatedFrom(value: string): boolean {
  if (CONTROL.test(value) || INVISIBLE.test(value)) return true;
  for (const entry of addressParser(value, { flatten: true })) {
    if (entry.address && NOT_IN_ADDRESS.test(entry.address.trim())) return true;
  }
  return false;
}
