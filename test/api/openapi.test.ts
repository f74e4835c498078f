/**
 * The OpenAPI document is valid OpenAPI 3.1 (checked with @seriousme/openapi-schema-validator's
 * schema and reference checks) and lists every route the app serves, so a route cannot be added
 * without its schema.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import schema31 from "@seriousme/openapi-schema-validator/schemas/v3.1/schema.json";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { app, call, jsonOf } from "./helpers";

/**
 * Served by the app but not API operations: the document itself, its viewer, the RFC 8058
 * one-click unsubscribe pages (HTML for people, form POSTs from mail providers; no credentials),
 * the RFC 8461 MTA-STS policy file that sending servers fetch on mta-sts.<domain>, the signed
 * link to a webhook delivery's raw message (the link is the credential), and the list archive's
 * public door (its authority is the list's archive policy).
 */
const META_ROUTES = new Set([
  "GET /api/openapi.json",
  "GET /api/docs",
  "GET /lists/unsubscribe/:token",
  "POST /lists/unsubscribe/:token",
  "GET /.well-known/mta-sts.txt",
  "GET /webhooks/raw/:delivery",
  "GET /archive/:list",
  "GET /archive/:list/months/:month",
  "GET /archive/:list/threads/:thread",
  "GET /archive/:list/search",
  "GET /archive/:list/posts/:id",
]);

// The validator loads its meta-schema from disk, which workerd's virtual file system does not
// have; compile the same schema with the same Ajv settings it uses and hand it over.
function openApiValidator(): Validator {
  const validator = new Validator();
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  ajv.addFormat("media-range", true);
  (validator as unknown as { ajvValidators: Record<string, unknown> }).ajvValidators["3.1"] = ajv.compile(schema31);
  return validator;
}

describe("OpenAPI document", () => {
  it("is served without authentication and validates as OpenAPI 3.1", async () => {
    const res = await call("GET", "/api/openapi.json", { token: null });
    expect(res.status).toBe(200);
    const doc = await jsonOf(res);
    expect(doc.openapi).toBe("3.1.0");
    const result = await openApiValidator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("rejects a broken document (the validator is really checking)", async () => {
    const doc = await jsonOf(await call("GET", "/api/openapi.json", { token: null }));
    doc.paths["/api/v1/domains"].get.responses = "not an object";
    expect((await openApiValidator().validate(doc)).valid).toBe(false);
  });

  it("lists every route the app serves", async () => {
    const doc = await jsonOf(await call("GET", "/api/openapi.json", { token: null }));
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item))
        documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    }
    const served = app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`);
    expect(served.length).toBeGreaterThan(30);
    const missing = served.filter((r) => !documented.has(r) && !META_ROUTES.has(r));
    expect(missing).toEqual([]);
    // And the other way: nothing documented that is not served.
    const servedSet = new Set(served);
    expect([...documented].filter((r) => !servedSet.has(r))).toEqual([]);
  });

  it("serves Swagger UI at /api/docs", async () => {
    const res = await call("GET", "/api/docs", { token: null });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("/api/openapi.json");
  });

  it("every operation declares its access rule and security", async () => {
    const doc = await jsonOf(await call("GET", "/api/openapi.json", { token: null }));
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(["admin", "domain", "user", "public"], `${method} ${path}`).toContain(op["x-facteur-access"]);
        if (op["x-facteur-access"] !== "public") expect(op.security, `${method} ${path}`).toBeTruthy();
      }
    }
  });
});
