import { describe, expect, it } from "vitest";
import {
  encodeDisplayName,
  fieldKey,
  fieldValue,
  foldItems,
  headerValue,
  headerValues,
  splitFields,
} from "../../src/mail/header-fields";

describe("splitFields", () => {
  it("keeps each field's raw line with its folds, and stops at the blank line", () => {
    expect(splitFields("Subject: a\r\n\tb\nTo: x\r\n\r\nNot: a field\r\n")).toEqual([
      { key: "subject", line: "Subject: a\r\n\tb" },
      { key: "to", line: "To: x" },
    ]);
  });

  it("drops lines that are no field and a leading continuation", () => {
    expect(splitFields(" orphan\r\nFrom mbox\r\nA : 1\r\n")).toEqual([{ key: "a", line: "A : 1" }]);
  });

  it("returns null past maxFields", () => {
    expect(splitFields("A: 1\r\nB: 2\r\n", 1)).toBeNull();
    expect(splitFields("A: 1\r\nB: 2\r\n", 2)).toHaveLength(2);
  });
});

describe("field values", () => {
  it("unfold (RFC 5322 section 2.2.3) and trim", () => {
    expect(fieldValue({ key: "subject", line: "Subject:  a\r\n b\r\n\tc " })).toBe("a b\tc");
    expect(fieldKey(" X-Test : v")).toBe("x-test");
  });

  it("are found by name in any case, in fields or in header text", () => {
    const text = "Received: one\r\nSubject: hi\r\nreceived: two\r\n\r\nReceived: body\r\n";
    expect(headerValue(text, "RECEIVED")).toBe("one");
    expect(headerValues(text, "received")).toEqual(["one", "two"]);
    expect(headerValue(text, "missing")).toBeUndefined();
    const fields = [
      { name: "auto-submitted", value: "no" },
      { name: "auto-submitted", value: "auto-replied" },
    ];
    expect(headerValue(fields, "Auto-Submitted")).toBe("no");
    expect(headerValues(fields, "auto-submitted")).toEqual(["no", "auto-replied"]);
  });
});

describe("encodeDisplayName", () => {
  it("quotes ASCII, escapes quotes, and makes an RFC 2047 encoded word of the rest", () => {
    expect(encodeDisplayName('Team "A"')).toBe('"Team \\"A\\""');
    expect(encodeDisplayName("Équipe")).toBe(`=?UTF-8?B?${btoa("\u00c3\u0089quipe")}?=`);
    expect(encodeDisplayName("a\r\nBcc: x")).toBe('"a  Bcc: x"');
  });
});

describe("foldItems", () => {
  it("folds before an item that would pass 78 characters", () => {
    const items = Array.from({ length: 8 }, (_, i) => `<mailto:member-${i}@example.test>`);
    const value = foldItems("List-Post", items);
    const lines = `List-Post: ${value}`.split("\r\n");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(78);
    expect(value.replace(/\r\n /g, " ")).toBe(items.join(", "));
  });
});
