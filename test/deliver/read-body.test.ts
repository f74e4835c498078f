/**
 * The stored body read from real (local) R2 into one array: the same bytes as arrayBuffer(), for
 * a body of many stream chunks and for an empty one.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readObjectBytes } from "../../src/deliver/read-body";

describe("readObjectBytes", () => {
  it("reads a multi-chunk object exactly, into an array of the object's size", async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
    await env.MAIL.put("read-body/large", bytes);
    const read = await readObjectBytes((await env.MAIL.get("read-body/large"))!);
    expect(read.byteLength).toBe(bytes.byteLength);
    expect(read.buffer.byteLength).toBe(bytes.byteLength);
    expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
  });

  it("reads an empty object", async () => {
    await env.MAIL.put("read-body/empty", new Uint8Array(0));
    expect((await readObjectBytes((await env.MAIL.get("read-body/empty"))!)).byteLength).toBe(0);
  });
});
