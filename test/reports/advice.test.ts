/**
 * The one line the domain-health page shows per source, decided from its DMARC results alone:
 * add it to SPF, sign with DKIM, or it is spoofing (RFC 7489 section 3.1).
 */
import { describe, expect, it } from "vitest";
import { adviseSource, type SourceCounts } from "../../src/api/reports/advice";

const D = "example.com";
const none: SourceCounts = {
  messages: 0,
  passed: 0,
  dkim_passed: 0,
  spf_passed: 0,
  dkim_authenticated: 0,
  spf_authenticated: 0,
};
const source = (counts: Partial<SourceCounts>): SourceCounts => ({ ...none, ...counts });

describe("source advice", () => {
  it("says nothing to do for a source aligned through DKIM", () => {
    const all = source({ messages: 9, passed: 9, dkim_passed: 9, spf_passed: 9, dkim_authenticated: 9 });
    expect(adviseSource(all, D)).toEqual({ action: "none", line: "Aligned: nothing to do." });
    expect(adviseSource(none, D).action).toBe("none");
  });

  it("asks for DKIM when a source passes through SPF only (forwarding breaks SPF)", () => {
    const advice = adviseSource(source({ messages: 5, passed: 5, spf_passed: 5, spf_authenticated: 5 }), D);
    expect(advice.action).toBe("sign-with-dkim");
    expect(advice.line).toContain(`DKIM as ${D}`);
  });

  it("asks to add a source to SPF when some of its mail carries the domain's DKIM signature", () => {
    const advice = adviseSource(source({ messages: 10, passed: 6, dkim_passed: 6, dkim_authenticated: 6 }), D);
    expect(advice.action).toBe("add-to-spf");
    expect(advice.line).toMatch(/^Add it to the SPF record of example\.com/);
  });

  it("asks for DKIM when a source authenticates only as another domain", () => {
    // A mailing service: its own d= signature and its own bounce domain pass, neither aligned.
    const service = source({ messages: 40, dkim_authenticated: 40, spf_authenticated: 40 });
    expect(adviseSource(service, D)).toMatchObject({ action: "sign-with-dkim" });
    expect(adviseSource(service, D).line).toContain("40 of 40 messages");
    // A forwarder: SRS makes SPF pass for its own domain, the author's signature broke.
    expect(adviseSource(source({ messages: 3, spf_authenticated: 3 }), D).action).toBe("sign-with-dkim");
    // Passing partly through SPF alone, the rest unaligned.
    expect(adviseSource(source({ messages: 4, passed: 1, spf_passed: 1, spf_authenticated: 1 }), D).action).toBe(
      "sign-with-dkim",
    );
  });

  it("calls a source that authenticates as nobody spoofing", () => {
    const advice = adviseSource(source({ messages: 120 }), D);
    expect(advice.action).toBe("spoofing");
    expect(advice.line).toContain(`spoofing ${D}`);
  });
});
