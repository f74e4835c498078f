/**
 * Hostile API input: oversized bodies (413), wrong content types (415), malformed JSON (400),
 * SQL-looking strings, unicode and junk in every field of every operation → 4xx, never 500.
 * Operations come from the OpenAPI document, so new routes are covered automatically.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createDomainFixture, jsonOf } from "./helpers";

const NASTY: unknown[] = [
  "' OR 1=1 --",
  "x'; DROP TABLE aliases; --",
  "Robert'); DELETE FROM users WHERE ('1'='1",
  "ünïcödé@exämple.com",
  "👾@💥.example",
  "\u0000\u0001\u001f",
  "a\r\nBcc: victim@example.com",
  "%00%0d%0a",
  "../../etc/passwd",
  "x".repeat(5000),
  "",
  " ",
  "\uFFFF\uD800",
  "<script>alert(1)</script>",
  "*@*",
  "@",
  -1,
  1e308,
  Number.NaN,
  true,
  null,
  [],
  {},
  [["nested"]],
  { $gt: "" },
];

interface Operation {
  method: string;
  path: string;
  fields: string[];
  queries: string[];
}

let ops: Operation[] = [];

function fieldsOf(schema: Record<string, unknown> | undefined, doc: Record<string, unknown>): string[] {
  if (!schema) return [];
  const ref = schema.$ref as string | undefined;
  const resolved = ref
    ? ((doc.components as Record<string, Record<string, unknown>>).schemas?.[ref.split("/").pop() ?? ""] as Record<
        string,
        unknown
      >)
    : schema;
  return Object.keys((resolved?.properties as Record<string, unknown>) ?? {});
}

/** URLs cannot carry lone surrogates (encodeURIComponent throws); JSON bodies still get them. */
function encode(value: string): string {
  return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, "\uFFFD"));
}

function concrete(path: string, value: string): string {
  return path.replace(/\{\w+\}/g, encode(value));
}

beforeAll(async () => {
  await createDomainFixture("hostile.example");
  const doc = await jsonOf(await call("GET", "/api/openapi.json", { token: null }));
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
    for (const [method, op] of Object.entries(item)) {
      const body = (op.requestBody as { content?: Record<string, { schema?: Record<string, unknown> }> } | undefined)
        ?.content?.["application/json"];
      const params = (op.parameters as { in: string; name: string }[] | undefined) ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        fields: fieldsOf(body?.schema, doc),
        queries: params.filter((p) => p.in === "query").map((p) => p.name),
      });
    }
  }
  ops = ops.filter((o) => o.path !== "/healthz");
});

async function expectNo500(res: Response, label: string) {
  const text = await res.text();
  expect(res.status, `${label}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) expect(res.headers.get("content-type"), label).toBe("application/problem+json");
}

describe("hostile input", () => {
  it("puts SQL-looking, unicode and junk values in every body field, query parameter and path parameter", async () => {
    for (const op of ops) {
      for (const value of NASTY) {
        const text = typeof value === "string" ? value : JSON.stringify(value);
        const label = `${op.method} ${op.path} ← ${text.slice(0, 40)}`;
        const query = op.queries.map((q) => `${q}=${encode(text)}`).join("&");
        const path = concrete(op.path, text || "x") + (query ? `?${query}` : "");
        const body =
          op.method === "GET" || op.method === "DELETE"
            ? undefined
            : Object.fromEntries(op.fields.map((f) => [f, value]));
        await expectNo500(await call(op.method, path, body !== undefined ? { body } : {}), label);
      }
    }
  });

  it("survives random JSON documents on every write operation (property test)", async () => {
    const writes = ops.filter((o) => o.method !== "GET");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), fc.jsonValue(), async (op, value) => {
        const res = await call(op.method, concrete(op.path, "someone@hostile.example"), { body: value });
        expect(res.status, `${op.method} ${op.path}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it("refuses malformed JSON with 400, wrong content types with 415, oversized bodies with 413", async () => {
    const malformed = await call("POST", "/api/v1/aliases", {
      rawBody: '{"address": "a@b.example",',
      contentType: "application/json",
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toBe("application/problem+json");
    for (const type of [
      "text/plain",
      "application/xml",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
    ]) {
      const res = await call("POST", "/api/v1/aliases", { rawBody: "address=a@b.example", contentType: type });
      expect(res.status, type).toBe(415);
      expect((await jsonOf(res)).type).toBe("urn:facteur:problem:unsupported-media-type");
    }
    const noType = await call("POST", "/api/v1/domains", { rawBody: '{"name":"x.example"}' });
    expect([400, 415]).toContain(noType.status);
    const huge = await call("POST", "/api/v1/aliases", {
      rawBody: JSON.stringify({ address: "a@hostile.example", description: "x".repeat(1024 * 1024 + 10) }),
      contentType: "application/json",
    });
    expect(huge.status).toBe(413);
    expect((await jsonOf(huge)).type).toBe("urn:facteur:problem:payload-too-large");
    // A body without Content-Length (streamed) is counted as it arrives.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
        controller.close();
      },
    });
    const streamed = await call("POST", "/api/v1/domains", { rawBody: stream, contentType: "application/json" });
    expect(streamed.status).toBe(413);
  });

  it("survives random bytes and broken messages posted as message/rfc822 to /send", async () => {
    await call("POST", "/api/v1/users", { body: { name: "hostile", password: "hostile password" } });
    const auth = { authorization: `Basic ${btoa("hostile:hostile password")}` };
    const samples: Uint8Array[] = [
      new TextEncoder().encode("no header section at all"),
      new TextEncoder().encode("From: a@b.example\r\nFrom: c@d.example\r\n\r\nx"),
      new TextEncoder().encode("From: <>\r\nTo: ,,,\r\n\r\n"),
      new TextEncoder().encode(`From: a@b.example\r\nX: ${"y".repeat(300 * 1024)}\r\n\r\nbody`),
      new Uint8Array([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]),
    ];
    for (const raw of samples) {
      const res = await call("POST", "/api/v1/send", {
        token: null,
        headers: auth,
        rawBody: raw,
        contentType: "message/rfc822",
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (raw) => {
        const res = await call("POST", "/api/v1/send", {
          token: null,
          headers: auth,
          rawBody: raw,
          contentType: "message/rfc822",
        });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });

  it("survives junk Authorization headers", async () => {
    for (const header of [
      "Bearer",
      "Bearer ",
      "Basic",
      "Basic ===",
      `Basic ${btoa(":")}`,
      `Basic ${btoa("nocolon")}`,
      "Digest x",
      "Bearer 👾",
      `Basic ${btoa(`${"x".repeat(5000)}:y`)}`,
    ]) {
      const res = await call("GET", "/api/v1/domains", { token: null, headers: { authorization: header } });
      expect(res.status, header).toBe(401);
    }
  });

  it("answers a known path with another method with a 405 problem naming the allowed ones", async () => {
    for (const [method, path, allow] of [
      ["PUT", "/api/v1/domains", "GET, POST"],
      ["POST", "/api/v1/domains/example.org", "GET, PATCH, DELETE"],
    ] as const) {
      const res = await call(method, path);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow")?.split(", ").sort()).toEqual(allow.split(", ").sort());
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("answers unknown routes with a 404 problem", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/nope"],
      ["GET", "/api/v2/domains"],
      ["GET", "/wp-login.php"],
    ] as const) {
      const res = await call(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect((await jsonOf(res)).status).toBe(404);
    }
  });

  it("handles malformed percent-encoding in paths", async () => {
    await expectNo500(await call("GET", "/api/v1/aliases/%E0%A4%A"), "bad percent-encoding");
    await expectNo500(await call("GET", "/api/v1/domains/%ZZ"), "invalid escape");
  });
});
