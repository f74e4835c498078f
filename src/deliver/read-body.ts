/**
 * A stored message read from R2 into one array of the object's size, chunk by chunk as the body
 * stream delivers them. `arrayBuffer()` holds the chunks and the joined copy at once; measured
 * in the bench (relay memory, `--relay-memory-mode=load`) at about 2.3x the message for a 4.9 MiB
 * body, against one copy and a chunk this way.
 */
export async function readObjectBytes(object: R2ObjectBody): Promise<Uint8Array> {
  let out = new Uint8Array(object.size);
  let length = 0;
  const reader = object.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (length + value.length > out.length) {
      // The object changed size under us (it should not): grow rather than lose bytes.
      const grown = new Uint8Array(Math.max(out.length * 2, length + value.length));
      grown.set(out.subarray(0, length));
      out = grown;
    }
    out.set(value, length);
    length += value.length;
  }
  return length === out.length ? out : out.subarray(0, length);
}
