import { describe, expect, it } from "vitest";
import { call, ok } from "../api/helpers";

describe("auto-reply API", () => {
  it("sets, reads and removes an alias's auto-reply", async () => {
    await ok(await call("POST", "/api/v1/domains", { body: { name: "api-vac.test" } }), 201);
    await ok(
      await call("POST", "/api/v1/aliases", { body: { address: "me@api-vac.test", destinations: ["x@else.test"] } }),
      201,
    );
    const path = "/api/v1/aliases/me@api-vac.test/auto-reply";
    expect((await call("GET", path)).status).toBe(404);
    const set = await ok<Record<string, unknown>>(
      await call("PUT", path, {
        body: { subject: "Away", body: "Back soon.", ends_at: "2026-12-24T00:00:00.000Z" },
      }),
    );
    expect(set).toMatchObject({
      alias: "me@api-vac.test",
      enabled: true,
      subject: "Away",
      starts_at: null,
      ends_at: "2026-12-24T00:00:00.000Z",
      interval_days: 7,
    });
    const changed = await ok<Record<string, unknown>>(
      await call("PUT", path, { body: { subject: "Away", body: "b", enabled: false, interval_days: 1 } }),
    );
    expect(changed).toMatchObject({ enabled: false, interval_days: 1, ends_at: null });
    expect(
      (await call("PUT", "/api/v1/aliases/nobody@api-vac.test/auto-reply", { body: { subject: "s", body: "b" } }))
        .status,
    ).toBe(422);
    await ok(await call("DELETE", path));
    expect((await call("GET", path)).status).toBe(404);
  });
});
