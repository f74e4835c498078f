import { describe, expect, it } from "vitest";
import { isAutoSubmitted } from "../../src/mail/auto-submitted";

describe("isAutoSubmitted (RFC 3834 section 5)", () => {
  it.each([
    ["no", false],
    ["No", false],
    [" NO ", false],
    ["no; x=y", false],
    ["no ; reason=person", false],
    ["no (written by a person)", false],
    ["(comment) no", false],
    ["auto-replied", true],
    ["auto-generated; foo", true],
    ["auto-generated", true],
    ["auto-notified", true],
    ["nonsense", true],
    ["not-no", true],
    ["", true],
  ])("%j is automatic: %s", (value, automatic) => {
    expect(isAutoSubmitted(value)).toBe(automatic);
  });

  it("is not automatic when the field is absent", () => {
    expect(isAutoSubmitted(undefined)).toBe(false);
  });
});
