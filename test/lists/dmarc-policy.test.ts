/**
 * The DMARC rule of a list post in every mode (it decides; the dmarc-mitigation handler
 * rewrites): each case asserts the whole decision, action and the reason that names why.
 */
import { describe, expect, it } from "vitest";
import { decideDmarcMitigation } from "../../src/lists/rules/dmarc-policy";

type ListSettings = Parameters<typeof decideDmarcMitigation>[0];

const auto: ListSettings = { dmarcMode: "auto", dmarcAlwaysDomains: ["gmail.com"] };
const decide = (list: ListSettings, result: string, policy?: string, domain = "author.test") =>
  decideDmarcMitigation(list, { result, comment: "", ...(policy ? { policy } : {}) }, domain);

describe("the DMARC rule (decides; the handler rewrites)", () => {
  it("auto: rewrite for p=quarantine and p=reject, not for p=none or no record", () => {
    expect(decide(auto, "pass", "reject")).toEqual({ action: "munge", reason: "author.test publishes p=reject" });
    expect(decide(auto, "fail", "quarantine")).toEqual({
      action: "munge",
      reason: "author.test publishes p=quarantine",
    });
    expect(decide(auto, "pass", "none")).toEqual({ action: "none", reason: "author.test publishes p=none" });
    expect(decide(auto, "none")).toEqual({ action: "none", reason: "author.test publishes no DMARC policy" });
  });

  it("auto: DNS failure fails closed (rewrite)", () => {
    expect(decide(auto, "temperror")).toEqual({
      action: "munge",
      reason: "author DMARC policy unknown (temperror): rewrite",
    });
    expect(decide(auto, "permerror")).toEqual({
      action: "munge",
      reason: "author DMARC policy unknown (permerror): rewrite",
    });
  });

  it("auto: the list's always domains (gmail.com, and its subdomains) are rewritten even at p=none", () => {
    const always = { action: "munge", reason: "gmail.com is on the list's always-rewrite domains" };
    expect(decide(auto, "pass", "none", "gmail.com")).toEqual(always);
    expect(decide(auto, "pass", "none", "GMail.com")).toEqual(always);
    expect(decide(auto, "pass", "none", "eu.gmail.com")).toMatchObject({ action: "munge" });
    expect(decide(auto, "pass", "none", "notgmail.com")).toMatchObject({ action: "none" });
  });

  it("munge, wrap and none modes apply whatever the policy", () => {
    expect(decide({ ...auto, dmarcMode: "munge" }, "none")).toEqual({ action: "munge", reason: "dmarc_mode munge" });
    expect(decide({ ...auto, dmarcMode: "wrap" }, "none")).toEqual({ action: "wrap", reason: "dmarc_mode wrap" });
    expect(decide({ ...auto, dmarcMode: "none" }, "fail", "reject")).toEqual({
      action: "none",
      reason: "dmarc_mode none",
    });
  });
});
