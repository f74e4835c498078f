/**
 * A local stand-in for Mailgun's `POST /v3/{domain}/messages.mime`, checking what Mailgun checks.
 *
 * Started by `test/servers/global-setup.ts` and injected as `inject("mailgunMock")`
 * (`{ baseUrl, apiKey, domain }`). Runnable alone: `node test/servers/mailgun-mock.mjs`.
 *
 * CHECKS, in Mailgun's order:
 *   - path must be /v3/<known domain>/messages.mime, method POST → else 404 {"message":"..."}
 *   - HTTP Basic auth, user "api", password the API key → else 401 "Forbidden" (Mailgun's text body)
 *   - Content-Type multipart/form-data, parsed by a real multipart parser (undici's FormData)
 *     → else 400 {"message":"..."}
 *   - at least one `to` field, and `message` present as a FILE part → else 400 {"message":"..."}
 *   - unknown fields other than Mailgun's o:/h:/v:/t: options → 400 (catches misspelt names)
 * SCENARIOS, chosen by the local part of the first `to` recipient:
 *   ratelimit-*  → 429 {"message":"Too many requests"} with Retry-After: 30
 *   slow-*       → answered after 150 ms (to see how many requests a client has in flight)
 *   error500-*   → 500 {"message":"Internal server error"}
 *   suspended-*  → 402 {"message":"Domain is disabled"}   (Mailgun: account/domain problem)
 * Success → 200 {"id":"<...@domain>","message":"Queued. Thank you."}, stored byte for byte.
 *
 * CONTROL API: GET /_control/concurrency?domain=d → { max } most requests in flight at once whose
 *   first recipient is in domain d (tests use a unique domain);
 *   GET /_control/messages[?to=addr] → { messages: [{ id, domain, to[], fields, size,
 *   raw (UTF-8), rawBase64 (exact bytes), filename, contentType }] };  DELETE /_control/messages.
 */
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const MAILGUN_API_KEY = "key-test-mailgun-0123456789";
export const MAILGUN_DOMAIN = "mg.facteur.test";

/** Option and variable fields Mailgun accepts beside `to` and `message`. */
const OPTION_FIELD = /^(o|h|v|t):/;

/** @param {{ apiKey?: string, domains?: string[] }} [options] */
export async function startMailgunMock(options = {}) {
  const apiKey = options.apiKey ?? MAILGUN_API_KEY;
  const domains = options.domains ?? [MAILGUN_DOMAIN];
  let messages = [];
  let nextId = 1;
  /** recipient domain → requests in flight now and at most (slow-* scenario). */
  const concurrency = new Map();

  const server = http.createServer(async (req, res) => {
    const json = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);

    if (url.pathname === "/_control/concurrency") {
      return json(200, { max: concurrency.get(url.searchParams.get("domain")?.toLowerCase())?.max ?? 0 });
    }
    if (url.pathname === "/_control/messages") {
      if (req.method === "DELETE") {
        messages = [];
        return json(200, { ok: true });
      }
      const to = url.searchParams.get("to")?.toLowerCase();
      const list = to ? messages.filter((m) => m.to.some((r) => r.toLowerCase() === to)) : messages;
      return json(200, { messages: list });
    }

    const route = /^\/v3\/([^/]+)\/messages\.mime$/.exec(url.pathname);
    if (!route || req.method !== "POST") return json(404, { message: "Not Found" });
    const domain = decodeURIComponent(route[1]);

    const authorization = req.headers.authorization ?? "";
    const expected = `Basic ${Buffer.from(`api:${apiKey}`).toString("base64")}`;
    if (authorization !== expected) {
      res.writeHead(401, { "content-type": "text/plain" });
      return res.end("Forbidden");
    }
    if (!domains.includes(domain)) return json(404, { message: `Domain not found: ${domain}` });

    const contentType = req.headers["content-type"] ?? "";
    if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
      return json(400, { message: "messages.mime requires multipart/form-data" });
    }
    let form;
    try {
      form = await new Request("http://mock/", {
        method: "POST",
        headers: { "content-type": contentType },
        body,
      }).formData();
    } catch (err) {
      return json(400, { message: `malformed multipart body: ${err.message}` });
    }
    for (const name of form.keys()) {
      if (name !== "to" && name !== "message" && !OPTION_FIELD.test(name)) {
        return json(400, { message: `unknown parameter '${name}'` });
      }
    }
    const to = form.getAll("to").map(String);
    if (to.length === 0) return json(400, { message: "'to' parameter is missing" });
    const message = form.get("message");
    if (message === null) return json(400, { message: "'message' parameter is missing" });
    if (typeof message === "string") return json(400, { message: "'message' must be uploaded as a file" });

    const first = to[0].slice(0, to[0].lastIndexOf("@")).toLowerCase();
    if (first.startsWith("ratelimit-")) {
      res.setHeader("retry-after", "30");
      return json(429, { message: "Too many requests" });
    }
    if (first.startsWith("slow-")) {
      const group = to[0].slice(to[0].lastIndexOf("@") + 1).toLowerCase();
      const c = concurrency.get(group) ?? { now: 0, max: 0 };
      concurrency.set(group, c);
      c.now += 1;
      c.max = Math.max(c.max, c.now);
      await new Promise((r) => setTimeout(r, 150));
      c.now -= 1;
    }
    if (first.startsWith("error500-")) return json(500, { message: "Internal server error" });
    if (first.startsWith("suspended-")) return json(402, { message: "Domain is disabled" });

    const raw = Buffer.from(await message.arrayBuffer());
    const id = `<mock-${nextId++}@${domain}>`;
    const fields = {};
    for (const [name, value] of form.entries()) if (OPTION_FIELD.test(name)) fields[name] = String(value);
    messages.push({
      id,
      domain,
      to,
      fields,
      size: raw.length,
      raw: raw.toString("utf8"),
      rawBase64: raw.toString("base64"),
      filename: message.name,
      contentType: message.type,
    });
    json(200, { id, message: "Queued. Thank you." });
  });

  const port = await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    domain: domains[0],
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const mock = await startMailgunMock();
  const { close: _close, ...info } = mock;
  console.log(JSON.stringify(info));
  const stop = () => mock.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
