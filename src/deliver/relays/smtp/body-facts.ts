/**
 * Facts about a message body that every transaction of a job would otherwise compute again: a
 * list job sends the same stored body (one Uint8Array) in one transaction per member, and the
 * scans for line ends, leading dots and 8-bit bytes cost more than the rest of a pipelined
 * transaction on loopback (bench/relay-bench.mjs, list profile). Keyed by the array object, so
 * a subarray or a copy is a new key; bodies are never changed once loaded from R2.
 */

/** Below this a scan costs less than the lookup. */
const MIN_BYTES = 1024;

const facts = new WeakMap<Uint8Array, Map<string, unknown>>();

export function bodyFact<T>(raw: Uint8Array, name: string, compute: (raw: Uint8Array) => T): T {
  if (raw.length < MIN_BYTES) return compute(raw);
  let known = facts.get(raw);
  if (!known) {
    known = new Map();
    facts.set(raw, known);
  }
  if (known.has(name)) return known.get(name) as T;
  const value = compute(raw);
  known.set(name, value);
  return value;
}
