/**
 * /api/v1/webhooks: a webhook created through the API fires for its alias, and its deliveries
 * with every attempt are visible; URLs that are not allowed are refused.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { call, jsonOf, ok } from "../api/helpers";
import { mail } from "../helpers/email";
import { hookEnv, hookUrl, receive, receivedBy, runWebhookJobs } from "./helpers";

describe("webhooks API", () => {
  it("creates a webhook for an alias, and shows each delivery's attempts", async () => {
    await ok(await call("POST", "/api/v1/domains", { body: { name: "api-hooks.test" } }), 201);
    await ok(
      await call("POST", "/api/v1/aliases", {
        body: { address: "orders@api-hooks.test", destinations: ["someone@elsewhere.test"] },
      }),
      201,
    );
    const created = await ok<{ id: string; secret: string; alias: string }>(
      await call("POST", "/api/v1/webhooks", {
        body: {
          alias: "orders@api-hooks.test",
          url: hookUrl("api", "500,204"),
          secret: inject("webhookReceiver").secret,
        },
      }),
      201,
    );
    expect(created).toMatchObject({ alias: "orders@api-hooks.test", secret: inject("webhookReceiver").secret });
    const listed = await ok<{ items: { id: string; secret?: string }[] }>(await call("GET", "/api/v1/webhooks"));
    expect(listed.items.find((h) => h.id === created.id)).toBeDefined();
    expect(listed.items.every((h) => h.secret === undefined)).toBe(true);

    const { env: e, jobs } = hookEnv();
    await receive(
      e,
      mail({ From: "alice@sender.test", Subject: "via api" }),
      "alice@sender.test",
      "orders@api-hooks.test",
    );
    expect(jobs).toHaveLength(1);
    await runWebhookJobs(jobs, e, { random: () => 0.5 });
    await runWebhookJobs(jobs, e, { random: () => 0.5 }, 2);
    expect((await receivedBy("api")).map((r) => r.verified)).toEqual([true, true]);

    const deliveries = await ok<{ items: { id: string; status: string; attempts: { status: number }[] }[] }>(
      await call("GET", `/api/v1/webhooks/${created.id}/deliveries`),
    );
    expect(deliveries.items).toHaveLength(1);
    expect(deliveries.items[0]).toMatchObject({ id: jobs[0]!.deliveryId, status: "delivered" });
    expect(deliveries.items[0]!.attempts.map((a) => a.status)).toEqual([500, 204]);

    const disabled = await ok<{ enabled: boolean }>(
      await call("PATCH", `/api/v1/webhooks/${created.id}`, { body: { enabled: false } }),
    );
    expect(disabled.enabled).toBe(false);
    await ok(await call("DELETE", `/api/v1/webhooks/${created.id}`));
    expect((await call("GET", `/api/v1/webhooks/${created.id}`)).status).toBe(404);
  });

  it("refuses plain http except for localhost in development, and http entirely in production", async () => {
    await ok(await call("POST", "/api/v1/domains", { body: { name: "url-hooks.test" } }), 201);
    const create = (url: string, extra: object = {}) =>
      call("POST", "/api/v1/webhooks", { body: { domain: "url-hooks.test", url }, ...extra });
    expect((await create("http://hooks.example/in")).status).toBe(422);
    expect((await create("http://localhost:9/in")).status).toBe(201);
    const production = await create("http://localhost:9/in", { env: { ...env, ENVIRONMENT: "production" } });
    expect(production.status).toBe(422);
    expect((await jsonOf(production)).detail).toMatch(/https/);
    expect((await create("https://hooks.example/in")).status).toBe(201);
    const badSecret = await call("POST", "/api/v1/webhooks", {
      body: { domain: "url-hooks.test", url: "https://hooks.example/in", secret: "hunter2" },
    });
    expect(badSecret.status).toBe(422);
    const unknown = await call("POST", "/api/v1/webhooks", {
      body: { domain: "nope.test", url: "https://h.example/" },
    });
    expect(unknown.status).toBe(422);
  });
});
