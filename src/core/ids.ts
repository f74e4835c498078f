/**
 * Time-ordered identifiers: 12 hex digits of milliseconds then 16 random hex digits. Sorting by id
 * sorts by creation time, so an id doubles as a stable pagination cursor.
 */
export function newId(now: number = Date.now()): string {
  const random = new Uint8Array(8);
  crypto.getRandomValues(random);
  let hex = "";
  for (const byte of random) hex += byte.toString(16).padStart(2, "0");
  return now.toString(16).padStart(12, "0") + hex;
}

/** A random URL-safe token of `bytes` bytes of entropy (confirmation tokens, API tokens). */
export function randomToken(bytes = 24): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return btoa(String.fromCharCode(...buf))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
