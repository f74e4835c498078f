import { describe, expect, it } from "vitest";
import {
  getField,
  getValue,
  headerSection,
  joinMessage,
  prependFields,
  removeFields,
  setField,
  splitMessage,
} from "../../src/mail/message-parts";

const bytes = (text: string) => new Uint8Array([...text].map((c) => c.charCodeAt(0)));
const text = (raw: Uint8Array) => String.fromCharCode(...raw);

describe("message parts", () => {
  it("round-trip a CRLF message byte for byte, 8-bit header bytes included", () => {
    const raw = "From: a@b.test\r\nSubject: caf\xc3\xa9\r\n folded\r\n\r\nbody \xff\r\n";
    expect(text(joinMessage(splitMessage(bytes(raw))))).toBe(raw);
  });

  it("drops lines that are no field and writes CRLF", () => {
    const parts = splitMessage(bytes("From mbox\nA: 1\n\nbody\n"));
    expect(parts.fields).toEqual([{ key: "a", line: "A: 1" }]);
    expect(headerSection(parts)).toBe("A: 1\r\n\r\n");
    expect(text(parts.body)).toBe("body\n");
  });

  it("reads, replaces, removes and prepends fields", () => {
    const parts = splitMessage(bytes("A: 1\r\nB: x\r\n y\r\nA: 2\r\n\r\n"));
    expect(getValue(parts, "b")).toBe("x y");
    expect(getField(parts, "A")?.line).toBe("A: 1");
    setField(parts, "A", "3");
    setField(parts, "C", "4");
    expect(parts.fields.map((f) => f.line)).toEqual(["C: 4", "A: 3", "B: x\r\n y"]);
    removeFields(parts, (key) => key === "b");
    prependFields(parts, ["Received: by x", "X-Trace : t"]);
    expect(parts.fields.map((f) => f.key)).toEqual(["received", "x-trace", "c", "a"]);
  });
});
