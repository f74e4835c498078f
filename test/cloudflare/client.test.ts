import { describe, expect, inject, it } from "vitest";
import { cloudflareClient } from "../../src/cloudflare/client";

const mock = inject("cloudflareMock");
const reset = (state: object) => fetch(`${mock.controlUrl}/reset`, { method: "POST", body: JSON.stringify(state) });

describe("the Cloudflare API client inside workerd", () => {
  it("lists every page (and stops at total_pages), retries a 429 after Retry-After, and surfaces a 403", async () => {
    const zones = Array.from({ length: 5 }, (_, i) => ({
      id: `z${i}`,
      name: `d${i}.example`,
      account: { id: "acc", name: "A" },
    }));
    await reset({ zones, pageSize: 2, rateLimitOnce: ["GET /zones"], denied: ["GET /zones/z1/dns_records"] });
    const cf = cloudflareClient({ apiToken: mock.token, baseURL: mock.baseUrl });
    const names: string[] = [];
    const started = Date.now();
    for await (const zone of cf.zones.list()) names.push(zone.name);
    expect(names).toEqual(zones.map((z) => z.name));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const requests = (await (await fetch(`${mock.controlUrl}/requests`)).json()) as {
      method: string;
      path: string;
      query: Record<string, string>;
    }[];
    expect(requests.map((r) => `${r.method} ${r.path} ${r.query.page ?? 1}`)).toEqual([
      "GET /zones 1",
      "GET /zones 1",
      "GET /zones 2",
      "GET /zones 3",
    ]);
    // A token missing a permission: 403 with Cloudflare's code 10000, which sync names (sync.ts).
    await expect(cf.dns.records.list({ zone_id: "z1" })[Symbol.asyncIterator]().next()).rejects.toMatchObject({
      status: 403,
      errors: [{ code: 10000, message: "Authentication error" }],
    });
  });
});
