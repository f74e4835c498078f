import { describe, expect, it } from "vitest";
import { call, jsonOf, ok } from "./helpers";

describe("domains", () => {
  it("creates, reads, updates, lists and deletes a domain", async () => {
    const created = await ok<{ name: string }>(
      await call("POST", "/api/v1/domains", { body: { name: "Exämple.COM", catch_all: ["Boss@Gmail.com"] } }),
      201,
    );
    expect(created.name).toBe("xn--exmple-cua.com");
    const got = await jsonOf(await call("GET", "/api/v1/domains/xn--exmple-cua.com"));
    expect(got.catch_all).toEqual(["Boss@gmail.com"]);
    const patched = await ok<{ enabled: boolean; catch_all: null }>(
      await call("PATCH", "/api/v1/domains/exämple.com", { body: { enabled: false, catch_all: null } }),
    );
    expect(patched).toMatchObject({ enabled: false, catch_all: null });
    const dup = await call("POST", "/api/v1/domains", { body: { name: "exämple.com" } });
    expect(dup.status).toBe(409);
    expect(dup.headers.get("content-type")).toBe("application/problem+json");
    await ok(await call("DELETE", "/api/v1/domains/xn--exmple-cua.com"));
    expect((await call("GET", "/api/v1/domains/xn--exmple-cua.com")).status).toBe(404);
  });

  it("names each bad field", async () => {
    const res = await call("POST", "/api/v1/domains", {
      body: { name: "not a domain", catch_all: ["ok@example.org", "nope"] },
    });
    expect(res.status).toBe(400);
    const problem = await jsonOf(res);
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(["catch_all.1", "name"]);
  });

  it("refuses a relay URL the relay layer cannot use", async () => {
    const res = await call("POST", "/api/v1/domains", { body: { name: "relay.example", relay_url: "ftp://x" } });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).errors[0].field).toBe("relay_url");
    const good = await ok<{ relay_url: string }>(
      await call("POST", "/api/v1/domains", {
        body: { name: "relay.example", relay_url: "smtp+starttls://user:secret@smtp.example.net:587" },
      }),
      201,
    );
    expect(good.relay_url).not.toContain("secret");
  });
});
