import { describe, expect, it } from "vitest";
import {
  decodeVerp,
  isListBounceAddress,
  isSrsAddress,
  LIST_SUFFIXES,
  listAddresses,
  listLocalPart,
  parseListAddress,
  parseVerpAddress,
  srsForward,
  srsReverse,
  verpAddress,
} from "../../src/mail/minted-address";

const list = { localPart: "Team", domain: "lists.test", address: "Team@lists.test" };
const SECRET = "list-secret";

describe("list addresses", () => {
  it("builds every address a list owns", () => {
    const a = listAddresses(list);
    expect([a.post, a.request, a.owner, a.bounces, a.confirm("tok")]).toEqual([
      "Team@lists.test",
      "Team-request@lists.test",
      "Team-owner@lists.test",
      "Team-bounces@lists.test",
      "Team-confirm+tok@lists.test",
    ]);
  });

  it("recognises each of them in any case, with the part after +", () => {
    expect(parseListAddress("team", "team")).toEqual({ kind: "list-post", tag: null });
    expect(parseListAddress("TEAM-Request", "team")).toEqual({ kind: "list-request", tag: null });
    expect(parseListAddress("team-owner", "team")).toEqual({ kind: "list-owner", tag: null });
    expect(parseListAddress("team-bounces+abc", "team")).toEqual({ kind: "list-bounce", tag: "abc" });
    expect(parseListAddress("team-confirm+tok", "team")).toEqual({ kind: "list-confirm", tag: "tok" });
    expect(parseListAddress("team+x", "team")).toEqual({ kind: "list-post", tag: "x" });
  });

  it("recognises nothing else", () => {
    for (const local of ["team-admin", "teams", "other-request", "tea", "team-constructor", "team-__proto__"]) {
      expect(parseListAddress(local, "team"), local).toBeNull();
    }
  });

  it("strips a list suffix to find the list, and agrees with the builder", () => {
    const a = listAddresses({ localPart: "team", domain: "d.test" });
    for (const address of [a.request, a.owner, a.bounces]) {
      expect(listLocalPart(address.slice(0, address.indexOf("@")))).toBe("team");
    }
    expect(listLocalPart("team-Request")).toBe("team");
    expect(listLocalPart("-request")).toBe("-request");
    expect(listLocalPart("team")).toBe("team");
    expect(LIST_SUFFIXES).toEqual(["-request", "-owner", "-bounces", "-confirm"]);
  });

  it("knows a list bounce address of anyone's list", () => {
    expect(isListBounceAddress("team-bounces@lists.test")).toBe(true);
    expect(isListBounceAddress("x-BOUNCES+abc=d@other.test")).toBe(true);
    expect(isListBounceAddress("bounces@other.test")).toBe(false);
    expect(isListBounceAddress("team@lists.test")).toBe(false);
  });
});

describe("VERP", () => {
  it("round-trips a member key, and refuses a forged or malformed token", () => {
    const key = "0123456789abcdef";
    const address = verpAddress(SECRET, list, key);
    expect(address).toMatch(/^Team-bounces\+0123456789abcdef[0-9a-f]{6}@lists\.test$/);
    const parsed = parseVerpAddress(address);
    expect(parsed?.list).toBe("Team@lists.test");
    expect(decodeVerp(SECRET, list.address, parsed!.token)).toBe(key);
    expect(decodeVerp(SECRET, list.address, parsed!.token.toUpperCase())).toBe(key);
    expect(decodeVerp("other-secret", list.address, parsed!.token)).toBeNull();
    expect(decodeVerp(SECRET, "other@lists.test", parsed!.token)).toBeNull();
    expect(decodeVerp(SECRET, list.address, `${parsed!.token}0`)).toBeNull();
    expect(decodeVerp(SECRET, list.address, "not-hex-at-all-xxxxxxx")).toBeNull();
    expect(parseVerpAddress("Team-bounces@lists.test")).toBeNull();
  });
});

describe("SRS through the same module", () => {
  it("forwards and reverses", async () => {
    const now = Date.UTC(2026, 10, 25);
    const srs = await srsForward("alice@example.org", "fwd.test", "srs-secret", now);
    expect(isSrsAddress(srs)).toBe(true);
    expect(await srsReverse(srs, "srs-secret", now)).toEqual({ ok: true, original: "alice@example.org" });
  });
});
