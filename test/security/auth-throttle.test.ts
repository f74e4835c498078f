/**
 * The failed-authentication throttle through fetch(): IPv6 clients are counted per /64, so
 * rotating addresses inside one does not reset the budget, and a user name has its own budget
 * across all clients, so guesses spread over many networks still run out.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_ACCOUNT_FAILURES, MAX_AUTH_FAILURES } from "../../src/credentials/auth-throttle";
import { ADMIN, call, freshIp, ok } from "../api/helpers";

const basic = (name: string, password: string) => `Basic ${btoa(`${name}:${password}`)}`;

beforeAll(async () => {
  for (const name of ["targeted", "bystander"]) {
    await ok(
      await call("POST", "/api/v1/users", { body: { name, password: `${name} password 1`, mailboxes: [] } }),
      201,
    );
  }
});

describe("per-network throttle", () => {
  it("blocks a client rotating IPv6 addresses inside one /64 (429), not its neighbour /64", async () => {
    for (let i = 1; i <= MAX_AUTH_FAILURES; i++) {
      const res = await call("GET", "/api/v1/domains", {
        token: `fct_guess${i}`,
        ip: `2001:db8:77:1::${i.toString(16)}`,
      });
      expect(res.status).toBe(i < MAX_AUTH_FAILURES ? 401 : 429);
    }
    // Same /64, another address, written differently, even with the right token.
    const same = await call("GET", "/api/v1/domains", { token: ADMIN, ip: "2001:0db8:0077:0001:ffff:1:2:3" });
    expect(same.status).toBe(429);
    expect(Number(same.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await call("GET", "/api/v1/domains", { token: ADMIN, ip: "2001:db8:77:2::1" })).status).toBe(200);
  });
});

describe("per-account throttle", () => {
  it(`blocks a user name after ${MAX_ACCOUNT_FAILURES} wrong passwords from as many different clients (429)`, async () => {
    for (let i = 0; i < MAX_ACCOUNT_FAILURES - 1; i++) {
      const res = await call("POST", "/api/v1/send", {
        token: null,
        headers: { authorization: basic("targeted", `guess ${i}`) },
        ip: freshIp(),
        body: {},
      });
      expect(res.status).toBe(401);
    }
    const last = await call("POST", "/api/v1/send", {
      token: null,
      headers: { authorization: basic("Targeted", "guess last") },
      ip: freshIp(),
      body: {},
    });
    expect(last.status).toBe(429);
    // The right password from a fresh client is refused while the account is blocked.
    const right = await call("POST", "/api/v1/send", {
      token: null,
      headers: { authorization: basic("targeted", "targeted password 1") },
      ip: freshIp(),
      body: {},
    });
    expect(right.status).toBe(429);
    // Another account is not affected.
    const other = await call("POST", "/api/v1/send", {
      token: null,
      headers: { authorization: basic("bystander", "bystander password 1") },
      ip: freshIp(),
      body: {},
    });
    expect(other.status).not.toBe(429);
    expect(other.status).not.toBe(401);
  });
});
