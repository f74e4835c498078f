/**
 * The API through the Worker's real entry point (src/index.ts fetch → createApp), and the sweep
 * that keeps the throttle tables small.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { recordAuthFailure } from "../../src/credentials/auth-throttle";
import { takeSendAllowance } from "../../src/credentials/send-rate";
import { expireApiCounters } from "../../src/sweeps/expire-api-counters";

const ADMIN = { authorization: "Bearer test-admin-token" };

describe("through the Worker's fetch()", () => {
  it("serves health, the OpenAPI document, authenticated routes and 404 problems", async () => {
    expect((await SELF.fetch("https://facteur.test/healthz")).status).toBe(200);
    const doc = (await (await SELF.fetch("https://facteur.test/api/openapi.json")).json()) as { openapi: string };
    expect(doc.openapi).toBe("3.1.0");
    expect((await SELF.fetch("https://facteur.test/api/v1/domains")).status).toBe(401);
    const created = await SELF.fetch("https://facteur.test/api/v1/domains", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ name: "entry.example" }),
    });
    expect(created.status).toBe(201);
    const listed = await SELF.fetch("https://facteur.test/api/v1/domains", { headers: ADMIN });
    const page = (await listed.json()) as { items: { name: string }[] };
    expect(page.items.map((d) => d.name)).toContain("entry.example");
    const missing = await SELF.fetch("https://facteur.test/nothing-here", { headers: ADMIN });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("expire-api-counters sweep", () => {
  it("drops finished windows and keeps live ones", async () => {
    const now = Date.now();
    await recordAuthFailure(env.DB, "192.0.2.1", now - 2 * 60 * 60_000);
    await recordAuthFailure(env.DB, "192.0.2.2", now);
    await takeSendAllowance(env.DB, "old-user", 100, now - 3 * 60 * 60_000);
    await takeSendAllowance(env.DB, "current-user", 100, now);
    expect(await expireApiCounters.run(env, now)).toBe(2);
    const clients = await env.DB.prepare("SELECT client FROM auth_failures").all<{ client: string }>();
    expect(clients.results.map((r) => r.client)).toEqual(["192.0.2.2"]);
    const users = await env.DB.prepare("SELECT user_name FROM send_counts").all<{ user_name: string }>();
    expect(users.results.map((r) => r.user_name)).toEqual(["current-user"]);
  });
});
