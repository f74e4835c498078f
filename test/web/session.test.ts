/**
 * Web sessions through the Worker's real fetch() over HTTPS: Secure, __Host- prefixed, HttpOnly,
 * SameSite=Strict cookies; CSRF on every POST; sign-in failures throttled with the API's budget;
 * logout, idle expiry and token revocation end a session; /api/docs loads nothing from a CDN.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_AUTH_FAILURES } from "../../src/credentials/auth-throttle";
import { SESSION_IDLE_MS } from "../../src/web/session";

const ORIGIN = "https://facteur.test";

async function signInPage(client: string) {
  const response = await SELF.fetch(`${ORIGIN}/admin/sign-in`, { headers: { "cf-connecting-ip": client } });
  const cookie = response.headers.get("set-cookie") ?? "";
  const csrf = (await response.text()).match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
  return { cookie: cookie.split(";")[0] ?? "", rawCookie: cookie, csrf, response };
}

async function post(path: string, cookie: string, form: Record<string, string>, client = "198.51.100.1") {
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": client },
    body: new URLSearchParams(form),
  });
}

async function signIn(token: string, client = "198.51.100.1") {
  const pre = await signInPage(client);
  const response = await post("/admin/sign-in/token", pre.cookie, { _csrf: pre.csrf, token }, client);
  const session = response.headers.get("set-cookie") ?? "";
  return { response, session, cookie: session.split(";")[0] ?? "" };
}

async function csrfOf(cookie: string): Promise<string> {
  const html = await (await SELF.fetch(`${ORIGIN}/admin/domains`, { headers: { cookie } })).text();
  return html.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? "";
}

describe("web sessions", () => {
  it("set strict headers and a Secure __Host- cookie over HTTPS", async () => {
    const pre = await signInPage("198.51.100.1");
    const csp = pre.response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(pre.response.headers.get("referrer-policy")).toBe("same-origin");
    const { response, session } = await signIn("test-admin-token");
    expect(response.status).toBe(303);
    expect(session).toMatch(/^__Host-facteur-session=/);
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/Secure/);
    expect(session).toMatch(/SameSite=Strict/);
  });

  it("gate member and user pages by whole path segment, not by prefix (/admin/messages is not /admin/me)", async () => {
    const { cookie } = await signIn("test-admin-token");
    const member = await SELF.fetch(`${ORIGIN}/admin/me`, { headers: { cookie } });
    expect(member.status).toBe(403);
    for (const path of ["/admin/meh", "/admin/accounts"]) {
      const response = await SELF.fetch(`${ORIGIN}${path}`, { headers: { cookie } });
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).not.toMatch(/for list members|for users/);
    }
  });

  it("refuse a POST without the session's CSRF token, accept it with", async () => {
    const { cookie } = await signIn("test-admin-token");
    const refused = await post("/admin/domains", cookie, { name: "nocsrf.test" });
    expect(refused.status).toBe(403);
    const wrong = await post("/admin/domains", cookie, { name: "nocsrf.test", _csrf: "guess" });
    expect(wrong.status).toBe(403);
    expect(await env.DB.prepare("SELECT 1 FROM domains WHERE name = 'nocsrf.test'").first()).toBeNull();
    const ok = await post("/admin/domains", cookie, { name: "csrf.test", _csrf: await csrfOf(cookie) });
    expect(ok.status).toBe(303);
    expect(await env.DB.prepare("SELECT 1 FROM domains WHERE name = 'csrf.test'").first()).not.toBeNull();
  });

  it("end at logout, when idle too long, and when its token is revoked", async () => {
    const { cookie } = await signIn("test-admin-token");
    expect((await SELF.fetch(`${ORIGIN}/admin`, { headers: { cookie }, redirect: "manual" })).status).toBe(200);
    await post("/admin/sign-out", cookie, { _csrf: await csrfOf(cookie) });
    expect((await SELF.fetch(`${ORIGIN}/admin`, { headers: { cookie }, redirect: "manual" })).status).toBe(303);

    const idle = await signIn("test-admin-token");
    await env.DB.prepare("UPDATE web_sessions SET last_seen_at = last_seen_at - ?1")
      .bind(SESSION_IDLE_MS + 1)
      .run();
    expect((await SELF.fetch(`${ORIGIN}/admin`, { headers: { cookie: idle.cookie }, redirect: "manual" })).status).toBe(
      303,
    );

    const created = (await (
      await SELF.fetch(`${ORIGIN}/api/v1/tokens`, {
        method: "POST",
        headers: { authorization: "Bearer test-admin-token", "content-type": "application/json" },
        body: JSON.stringify({ name: "web", scopes: ["read"] }),
      })
    ).json()) as { id: string; token: string };
    const byToken = await signIn(created.token);
    expect((await SELF.fetch(`${ORIGIN}/admin`, { headers: { cookie: byToken.cookie } })).status).toBe(200);
    await SELF.fetch(`${ORIGIN}/api/v1/tokens/${created.id}`, {
      method: "DELETE",
      headers: { authorization: "Bearer test-admin-token" },
    });
    expect(
      (await SELF.fetch(`${ORIGIN}/admin`, { headers: { cookie: byToken.cookie }, redirect: "manual" })).status,
    ).toBe(303);
  });

  it("throttle failed sign-ins like the API, even a correct one afterwards", async () => {
    const client = "203.0.113.77";
    for (let i = 0; i < MAX_AUTH_FAILURES; i++) await signIn("wrong", client);
    const blocked = await signIn("test-admin-token", client);
    expect(blocked.response.status).toBe(429);
    expect(blocked.response.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("serve Swagger UI from the Worker, not a CDN", async () => {
    const html = await (await SELF.fetch(`${ORIGIN}/api/docs`)).text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(2);
    for (const source of sources) expect(source).toMatch(/^\//);
    expect(html).not.toMatch(/<script>[^<]/);
  });
});
