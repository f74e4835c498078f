/**
 * Time-ordered identifiers: 12 hex digits of milliseconds then 16 hex digits, random for the first
 * id of a millisecond. Sorting by id sorts by creation, so an id doubles as a stable pagination
 * cursor. Within an isolate the ids are monotonic (as ULID's monotonic mode): an id made in the
 * same millisecond as the previous one, or with a clock that went back, takes the previous id's
 * time and its 64-bit tail plus one, so two ids made in one millisecond still sort in creation
 * order. Across isolates, ids of the same millisecond sort by their random tails: those were made
 * concurrently, and no order between them is wrong.
 */
const TAIL_MAX = (1n << 64n) - 1n;
let lastTime = -1;
let lastTail = 0n;

function randomTail(): bigint {
  const random = new Uint8Array(8);
  crypto.getRandomValues(random);
  let tail = 0n;
  for (const byte of random) tail = (tail << 8n) | BigInt(byte);
  return tail;
}

export function newId(now: number = Date.now()): string {
  let time = Math.max(0, Math.floor(now));
  let tail: bigint;
  if (time > lastTime) {
    tail = randomTail();
  } else if (lastTail < TAIL_MAX) {
    time = lastTime;
    tail = lastTail + 1n;
  } else {
    // 2^64 ids in one millisecond cannot happen; carrying into the time keeps the order anyway.
    time = lastTime + 1;
    tail = randomTail();
  }
  lastTime = time;
  lastTail = tail;
  return time.toString(16).padStart(12, "0") + tail.toString(16).padStart(16, "0");
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
