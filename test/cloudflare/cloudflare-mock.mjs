/**
 * A local stand-in for the part of Cloudflare's API v4 that sync uses, answering as Cloudflare
 * documents it: every body is the envelope {success, errors, messages, result} (lists add
 * result_info {page, per_page, count, total_count, total_pages} and page through `page`/`per_page`,
 * an empty page after the last), 429 with Retry-After when rate limited, 403 code 10000
 * ("Authentication error") for a token missing a permission, 403 code 9109 for a wrong token.
 *
 * Started by test/cloudflare/global-setup.ts, injected as inject("cloudflareMock") = {baseUrl, token}.
 * CONTROL: POST /_control/reset {state} replaces the account; GET /_control/requests lists every API
 * request as {method, path, query, body}; GET /_control/state returns the account.
 * State: {zones:[{id,name,account:{id,name}}], records:{zone:[...]}, settings:{zone:{...}},
 *   rules:{zone:[...]}, catchAll:{zone:{...}}, addresses:{account:[...]}, pageSize?,
 *   denied?: ["METHOD /path/regex"], rateLimitOnce?: ["METHOD /path/regex"]}
 */
import { randomUUID } from "node:crypto";
import http from "node:http";

export const CLOUDFLARE_TOKEN = "cf-test-token-0123456789";

export async function startCloudflareMock() {
  let state = emptyState();
  let requests = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? JSON.parse(text) : undefined;
    const send = (status, payload, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(payload));
    };
    if (url.pathname.startsWith("/_control/")) {
      if (url.pathname === "/_control/reset") {
        state = { ...emptyState(), ...body };
        requests = [];
        return send(200, { ok: true });
      }
      if (url.pathname === "/_control/requests") return send(200, requests);
      if (url.pathname === "/_control/state") return send(200, state);
      return send(404, {});
    }
    const path = url.pathname.replace(/^\/client\/v4/, "");
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method, path, query, body });
    const key = `${req.method} ${path}`;
    const fail = (status, code, message, headers) =>
      send(status, { success: false, errors: [{ code, message }], messages: [], result: null }, headers);
    if (req.headers.authorization !== `Bearer ${state.token ?? CLOUDFLARE_TOKEN}`)
      return fail(403, 9109, "Invalid access token");
    const limited = (state.rateLimitOnce ?? []).find((rule) => matches(rule, key));
    if (limited) {
      state.rateLimitOnce = state.rateLimitOnce.filter((r) => r !== limited);
      return fail(429, 971, "Please wait and consider throttling your request speed", { "retry-after": "1" });
    }
    if ((state.denied ?? []).some((rule) => matches(rule, key))) return fail(403, 10000, "Authentication error");
    const ok = (result) => send(200, { success: true, errors: [], messages: [], result });
    const list = (items) => {
      const perPage = Number(query.per_page ?? state.pageSize ?? 20);
      const page = Number(query.page ?? 1);
      const slice = items.slice((page - 1) * perPage, page * perPage);
      send(200, {
        success: true,
        errors: [],
        messages: [],
        result: slice,
        result_info: {
          page,
          per_page: perPage,
          count: slice.length,
          total_count: items.length,
          total_pages: Math.ceil(items.length / perPage),
        },
      });
    };
    let m = null;
    const on = (re) => {
      m = path.match(re);
      return m;
    };
    if (req.method === "GET" && path === "/zones")
      return list(state.zones.filter((z) => !query.name || z.name === query.name));
    if (on(/^\/zones\/([^/]+)(\/.*)?$/)) {
      const zone = m[1];
      const rest = m[2] ?? "";
      if (!state.zones.some((z) => z.id === zone))
        return fail(404, 7003, "Could not route to /zones/..., perhaps your object identifier is invalid?");
      state.records[zone] ??= [];
      const records = state.records[zone];
      if (rest === "/dns_records" && req.method === "GET") return list(records);
      if (rest === "/dns_records" && req.method === "POST") {
        const record = {
          id: randomUUID().replaceAll("-", ""),
          proxied: false,
          ttl: 1,
          ...body,
          created_on: new Date().toISOString(),
        };
        records.push(record);
        return ok(record);
      }
      const recordMatch = rest.match(/^\/dns_records\/([^/]+)$/);
      if (recordMatch) {
        m = recordMatch;
        const index = records.findIndex((r) => r.id === m[1]);
        if (index < 0) return fail(404, 81044, "Record does not exist.");
        if (req.method === "DELETE") {
          records.splice(index, 1);
          return ok({ id: m[1] });
        }
        records[index] = req.method === "PUT" ? { id: m[1], ...body } : { ...records[index], ...body };
        return ok(records[index]);
      }
      state.settings[zone] ??= {
        id: zone,
        name: state.zones.find((z) => z.id === zone).name,
        enabled: false,
        status: "unconfigured",
        tag: zone,
      };
      const settings = state.settings[zone];
      if (rest === "/email/routing" && req.method === "GET") return ok(settings);
      if (rest === "/email/routing/enable" && req.method === "POST") {
        Object.assign(settings, { enabled: true, status: "ready" });
        return ok(settings);
      }
      if (rest === "/email/routing/dns" && req.method === "POST") {
        for (const [i, host] of ["route1", "route2", "route3"].entries()) {
          records.push({
            id: randomUUID().replaceAll("-", ""),
            type: "MX",
            name: settings.name,
            content: `${host}.mx.cloudflare.net`,
            priority: [13, 86, 24][i],
            ttl: 1,
          });
        }
        return ok(settings);
      }
      if (rest === "/email/routing/rules" && req.method === "GET") return list(state.rules[zone] ?? []);
      if (rest === "/email/routing/rules/catch_all") {
        state.catchAll[zone] ??= {
          id: "catchall",
          tag: "catchall",
          name: "",
          enabled: true,
          matchers: [{ type: "all" }],
          actions: [{ type: "drop" }],
        };
        if (req.method === "PUT") Object.assign(state.catchAll[zone], body);
        return ok(state.catchAll[zone]);
      }
    }
    if (on(/^\/accounts\/([^/]+)\/email\/routing\/addresses$/)) {
      state.addresses[m[1]] ??= [];
      const addresses = state.addresses[m[1]];
      if (req.method === "GET") return list(addresses);
      if (req.method === "POST") {
        if (addresses.some((a) => a.email === body.email)) return fail(400, 2032, "Destination address already exists");
        const address = {
          id: randomUUID().replaceAll("-", ""),
          tag: randomUUID(),
          email: body.email,
          verified: null,
          created: new Date().toISOString(),
          modified: new Date().toISOString(),
        };
        addresses.push(address);
        return ok(address);
      }
    }
    return fail(404, 7000, `No route for that URI (${key})`);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    controlUrl: `http://127.0.0.1:${port}/_control`,
    token: CLOUDFLARE_TOKEN,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function emptyState() {
  return { zones: [], records: {}, settings: {}, rules: {}, catchAll: {}, addresses: {} };
}

function matches(rule, key) {
  const [method, pattern] = rule.split(" ");
  const [actualMethod, path] = key.split(" ");
  return method === actualMethod && new RegExp(`^${pattern}$`).test(path);
}
