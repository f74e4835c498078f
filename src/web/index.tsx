/**
 * The web interface under /admin (server-rendered with hono/jsx; every read works without
 * JavaScript). Operator pages act through the admin API in-process (api/in-process.ts) with the
 * session's Access, so the API's scope rules, validation and store functions are the only ones.
 *
 * Order: security headers on every answer; the session; CSRF on every POST (before anything
 * reads the form); then who may see which page.
 */
import { Hono } from "hono";
import type { ApiCaller } from "../api/in-process";
import type { WebEnv } from "./env";
import { account } from "./pages/account";
import { accountPages } from "./pages/account-admin";
import { aliasPages } from "./pages/aliases";
import { contactPages } from "./pages/contacts";
import { dashboard } from "./pages/dashboard";
import { deliveryProblemPages } from "./pages/delivery-problems";
import { dnsCheckPages } from "./pages/dns-check";
import { domainHealthPages } from "./pages/domain-health";
import { domainPages } from "./pages/domains";
import { listPages } from "./pages/lists";
import { logPages } from "./pages/logs";
import { memberSelf } from "./pages/member-self";
import { messageDetailPages } from "./pages/message-detail";
import { isOperator } from "./principal";
import { ApiFailure, errorPage, problemText } from "./respond";
import { securityHeaders } from "./security-headers";
import { csrfValid, loadSession } from "./session";
import { signIn } from "./sign-in";

export interface WebDeps {
  callerFor(env: Env, ctx: ExecutionContext | undefined): ApiCaller;
}

/** Hono throws when a request came without an ExecutionContext (unit tests call fetch without one). */
function executionContextOf(c: { executionCtx: unknown }): ExecutionContext | undefined {
  try {
    return c.executionCtx as ExecutionContext;
  } catch {
    return undefined;
  }
}

const PUBLIC = /^\/admin\/sign-in(\/|$)/;

export function createWeb(deps: WebDeps): Hono<WebEnv> {
  const web = new Hono<WebEnv>().basePath("/admin");
  web.use("*", securityHeaders);
  web.use("*", loadSession);
  web.use("*", async (c, next) => {
    c.set("api", deps.callerFor(c.env, executionContextOf(c)));
    if (c.req.method === "POST" && !(await csrfValid(c))) {
      return errorPage(
        c,
        403,
        "This form was refused: its CSRF token is missing or stale. Reload the page and try again.",
      );
    }
    const principal = c.get("principal");
    if (PUBLIC.test(c.req.path)) return next();
    if (!principal) return c.redirect("/admin/sign-in", 303);
    // Whole path segments: "/admin/messages" is not a member page.
    if (/^\/admin\/me(\/|$)/.test(c.req.path)) {
      return principal.kind === "member" ? next() : errorPage(c, 403, "These pages are for list members.");
    }
    if (/^\/admin\/account(\/|$)/.test(c.req.path)) {
      return principal.kind === "user" ? next() : errorPage(c, 403, "This page is for users.");
    }
    if (!isOperator(principal)) {
      return c.redirect(principal.kind === "member" ? "/admin/me" : "/admin/account", 303);
    }
    return next();
  });

  web.route("/", signIn);
  web.route("/", memberSelf);
  web.route("/", account);
  web.route("/", dashboard);
  web.route("/", domainPages);
  web.route("/", domainHealthPages);
  web.route("/", aliasPages);
  web.route("/", contactPages);
  web.route("/", listPages);
  web.route("/", logPages);
  web.route("/", deliveryProblemPages);
  web.route("/", messageDetailPages);
  web.route("/", dnsCheckPages);
  web.route("/", accountPages);

  web.notFound((c) => errorPage(c, 404, `There is no page at ${c.req.path}.`));
  web.onError((error, c) => {
    if (error instanceof ApiFailure) return errorPage(c, error.reply.status, problemText(error.reply));
    console.error(error);
    return errorPage(c, 500, "Something went wrong on our side.");
  });
  return web;
}
