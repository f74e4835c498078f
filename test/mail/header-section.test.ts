import { describe, expect, it } from "vitest";
import {
  findHeaderEnd,
  headerEnd,
  headerSectionText,
  MAX_HEADER_FIELDS,
  MAX_HEADER_SECTION_BYTES,
  parseHeaderSection,
} from "../../src/mail/header-section";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("findHeaderEnd", () => {
  it.each([
    ["A: 1\r\nB: 2\r\n\r\nbody", { fieldsEnd: 10, bodyStart: 14 }],
    ["A: 1\nB: 2\n\nbody", { fieldsEnd: 9, bodyStart: 11 }],
    ["A: 1\n\r\nbody", { fieldsEnd: 4, bodyStart: 7 }],
    ["A: 1\r\n\nbody", { fieldsEnd: 4, bodyStart: 7 }],
  ])("finds the blank line of %j, bare LF tolerated", (text, bounds) => {
    expect(findHeaderEnd(bytes(text))).toEqual(bounds);
    expect(findHeaderEnd(text)).toEqual(bounds);
  });

  it("returns null without a blank line, or when it starts past the limit", () => {
    expect(findHeaderEnd(bytes("A: 1\r\nB: 2\r\n"))).toBeNull();
    expect(findHeaderEnd("A: 1\r\n\r\n", 4)).toBeNull();
    expect(findHeaderEnd("A: 1\r\n\r\n", 6)).toEqual({ fieldsEnd: 4, bodyStart: 8 });
  });

  it("headerEnd is the body start, or the length for a message without body", () => {
    expect(headerEnd(bytes("A: 1\r\n\r\nbody"))).toBe(8);
    expect(headerEnd(bytes("A: 1\r\n"))).toBe(6);
  });
});

describe("parseHeaderSection", () => {
  it("unfolds fields, lower-cases names, skips lines that are no field, and counts header bytes", () => {
    const raw = "From mbox line\r\nSubject: a\r\n  b\r\nX-Y:z\r\n\r\nBody: no\r\n";
    const section = parseHeaderSection(bytes(raw));
    expect(section).toEqual({
      ok: true,
      fields: [
        { name: "subject", value: "a  b" },
        { name: "x-y", value: "z" },
      ],
      headerBytes: raw.indexOf("Body"),
    });
  });

  it("decodes UTF-8 header bytes (RFC 6532)", () => {
    const section = parseHeaderSection(bytes("Subject: café\r\n\r\n"));
    expect(section.ok && section.fields[0]?.value).toBe("café");
  });

  it("takes a message without blank line as all header", () => {
    expect(parseHeaderSection(bytes("A: 1\r\n"))).toEqual({
      ok: true,
      fields: [{ name: "a", value: "1" }],
      headerBytes: 6,
    });
  });

  it("refuses header bombs and empty header sections", () => {
    const big = bytes(`X: ${"a".repeat(MAX_HEADER_SECTION_BYTES)}\r\n\r\n`);
    expect(parseHeaderSection(big)).toEqual({ ok: false, problem: "too-large" });
    const many = bytes(`${"A: 1\r\n".repeat(MAX_HEADER_FIELDS + 1)}\r\n`);
    expect(parseHeaderSection(many)).toEqual({ ok: false, problem: "too-many-fields" });
    const enough = bytes(`${"A: 1\r\n".repeat(MAX_HEADER_FIELDS)}\r\n`);
    expect(parseHeaderSection(enough).ok).toBe(true);
    expect(parseHeaderSection(bytes("\r\nbody"))).toEqual({ ok: false, problem: "no-header-section" });
  });
});

describe("headerSectionText", () => {
  it("returns the header section with CRLF line endings and one final CRLF", () => {
    expect(headerSectionText("A: 1\nB: 2\n\nbody\n")).toBe("A: 1\r\nB: 2\r\n");
    expect(headerSectionText(bytes("A: 1\r\n\r\nbody"))).toBe("A: 1\r\n");
    expect(headerSectionText("A: 1")).toBe("A: 1\r\n");
  });

  it("cuts a long header section on a line boundary", () => {
    const text = headerSectionText(`${"X-Long: aaaaaaaaaa\r\n".repeat(100)}\r\nbody`, 100);
    expect(text.length).toBeLessThanOrEqual(102);
    expect(text.endsWith("X-Long: aaaaaaaaaa\r\n")).toBe(true);
  });
});
