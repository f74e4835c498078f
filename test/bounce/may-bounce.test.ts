import { describe, expect, it } from "vitest";
import { type BounceCandidate, mayBounce } from "../../src/bounce/may-bounce";

const ok: BounceCandidate = {
  mailFrom: "alice@example.org",
  senderAuthenticated: true,
  autoSubmitted: false,
  origin: "alias",
};

describe("mayBounce", () => {
  it("bounces an authenticated, human sender", () => {
    expect(mayBounce(ok)).toEqual({ bounce: true });
    expect(mayBounce({ ...ok, origin: "submission" })).toEqual({ bounce: true });
  });

  it.each<[string, Partial<BounceCandidate>, string]>([
    ["null sender", { mailFrom: "" }, "null-sender"],
    ["null sender in brackets", { mailFrom: "<>" }, "null-sender"],
    ["mailer-daemon", { mailFrom: "MAILER-DAEMON@example.org" }, "mailer-daemon"],
    ["postmaster", { mailFrom: "postmaster@example.org" }, "mailer-daemon"],
    ["a DSN itself", { origin: "dsn" }, "report"],
    ["a multipart/report original", { isReport: true }, "report"],
    ["Auto-Submitted", { autoSubmitted: true }, "auto-submitted"],
    ["a list bounces address", { mailFrom: "dev-bounces@lists.example.org" }, "list-bounce-address"],
    ["a list VERP address", { mailFrom: "dev-bounces+bob=x.example@lists.example.org" }, "list-bounce-address"],
    ["an unauthenticated sender", { senderAuthenticated: false }, "unauthenticated"],
  ])("does not bounce %s", (_name, change, reason) => {
    expect(mayBounce({ ...ok, ...change })).toEqual({ bounce: false, reason });
  });

  it("an address merely containing 'bounces' is a person", () => {
    expect(mayBounce({ ...ok, mailFrom: "bounces.bob@example.org" })).toEqual({ bounce: true });
  });
});
