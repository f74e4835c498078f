/**
 * Sign-in: operators with an API token (or ADMIN_TOKEN), users with name and password, list
 * members with a single-use link mailed to them (member-link.ts). Failures count against the same
 * per-client budget as the API's (credentials/auth-throttle.ts), and a blocked client is refused
 * even with correct credentials.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { bearerAccess, passwordAccess } from "../api/middleware/authenticate";
import { authRetryAfter, recordAuthFailure } from "../credentials/auth-throttle";
import type { WebEnv } from "./env";
import { CsrfField, FieldError, Notice } from "./layout";
import { consumeMemberLink, requestMemberLink } from "./member-link";
import { errorPage, render } from "./respond";
import { endSession, startSession } from "./session";

const client = (c: Context<WebEnv>) => c.req.header("cf-connecting-ip") ?? "unknown";

export function SignInPage(props: { csrf: string; tokenError?: string; userError?: string; name?: string }) {
  return (
    <>
      <form method="post" action="/admin/sign-in/token">
        <fieldset>
          <legend>Operators: API token</legend>
          <CsrfField csrf={props.csrf} />
          <label for="token">API token</label>
          <p class="help" id="token-help">
            ADMIN_TOKEN, or a token from the Tokens page; you see what its scope allows.
          </p>
          <input
            type="password"
            id="token"
            name="token"
            autocomplete="off"
            required
            aria-describedby="token-help token-error"
          />
          <FieldError id="token-error" message={props.tokenError} />
          <p>
            <button type="submit">Sign in with token</button>
          </p>
        </fieldset>
      </form>
      <form method="post" action="/admin/sign-in/user">
        <fieldset>
          <legend>Users: name and password</legend>
          <CsrfField csrf={props.csrf} />
          <label for="name">Name</label>
          <input type="text" id="name" name="name" autocomplete="username" required value={props.name ?? ""} />
          <label for="password">Password</label>
          <input
            type="password"
            id="password"
            name="password"
            autocomplete="current-password"
            required
            aria-describedby="user-error"
          />
          <FieldError id="user-error" message={props.userError} />
          <p>
            <button type="submit">Sign in</button>
          </p>
        </fieldset>
      </form>
      <p>
        List member? <a href="/admin/sign-in/member">Get a sign-in link by email</a>.
      </p>
    </>
  );
}

export function MemberLinkPage(props: { csrf: string; sent?: boolean }) {
  return (
    <>
      {props.sent ? (
        <Notice kind="ok">
          If this address is subscribed to a list here, a sign-in link is on its way to it. The link works once, for 30
          minutes.
        </Notice>
      ) : null}
      <form method="post" action="/admin/sign-in/member">
        <CsrfField csrf={props.csrf} />
        <label for="address">Your address</label>
        <input type="email" id="address" name="address" autocomplete="email" required />
        <p>
          <button type="submit">Mail me a sign-in link</button>
        </p>
      </form>
    </>
  );
}

async function throttledPage(c: Context<WebEnv>): Promise<Response | null> {
  const wait = await authRetryAfter(c.env.DB, client(c));
  if (wait === null) return null;
  c.header("Retry-After", String(wait));
  return errorPage(c, 429, `Too many failed sign-ins from here; try again in ${wait} s.`);
}

async function failed(c: Context<WebEnv>, page: (error: string) => Response | Promise<Response>) {
  const wait = await recordAuthFailure(c.env.DB, client(c));
  if (wait !== null) {
    c.header("Retry-After", String(wait));
    return errorPage(c, 429, `Too many failed sign-ins from here; try again in ${wait} s.`);
  }
  return page("That did not work: check it and try again.");
}

const field = (form: Record<string, unknown>, name: string) =>
  typeof form[name] === "string" ? (form[name] as string).trim() : "";

export const signIn = new Hono<WebEnv>()
  .get("/sign-in", (c) => render(c, "Sign in", <SignInPage csrf={c.get("csrf")} />))
  .post("/sign-in/token", async (c) => {
    const blocked = await throttledPage(c);
    if (blocked) return blocked;
    const token = field(await c.req.parseBody({ all: true }), "token");
    const access = token ? await bearerAccess(c.env, token) : null;
    if (!access) {
      return failed(c, (error) => render(c, "Sign in", <SignInPage csrf={c.get("csrf")} tokenError={error} />, 401));
    }
    await startSession(c, {
      kind: access.kind === "admin-token" ? "admin-token" : "api-token",
      tokenId: access.tokenId,
    });
    return c.redirect("/admin", 303);
  })
  .post("/sign-in/user", async (c) => {
    const blocked = await throttledPage(c);
    if (blocked) return blocked;
    const form = await c.req.parseBody({ all: true });
    const name = field(form, "name");
    const password = typeof form.password === "string" ? form.password : "";
    const access = name && password ? await passwordAccess(c.env, name, password) : null;
    if (!access?.userName) {
      return failed(c, (error) =>
        render(c, "Sign in", <SignInPage csrf={c.get("csrf")} userError={error} name={name} />, 401),
      );
    }
    await startSession(c, { kind: "user", userName: access.userName });
    return c.redirect(access.admin ? "/admin" : "/admin/account", 303);
  })
  .get("/sign-in/member", (c) => render(c, "Member sign-in", <MemberLinkPage csrf={c.get("csrf")} />))
  .post("/sign-in/member", async (c) => {
    const address = field(await c.req.parseBody({ all: true }), "address");
    // The same answer whatever the address: the page reveals nothing about who is subscribed.
    if (address) await requestMemberLink(c.env, address, new URL(c.req.url).origin);
    return render(c, "Member sign-in", <MemberLinkPage csrf={c.get("csrf")} sent />);
  })
  .get("/sign-in/link/:token", (c) =>
    // A button, not an automatic sign-in: mail scanners follow GET links and would spend the link.
    render(
      c,
      "Member sign-in",
      <form method="post">
        <CsrfField csrf={c.get("csrf")} />
        <p>Sign in to manage your list subscriptions.</p>
        <button type="submit">Sign in</button>
      </form>,
    ),
  )
  .post("/sign-in/link/:token", async (c) => {
    const blocked = await throttledPage(c);
    if (blocked) return blocked;
    const address = await consumeMemberLink(c.env, c.req.param("token"));
    if (!address) {
      return failed(c, () =>
        errorPage(
          c,
          400,
          "This sign-in link is unknown, used or expired: ask for a new one on the member sign-in page.",
        ),
      );
    }
    await startSession(c, { kind: "member", memberAddress: address });
    return c.redirect("/admin/me", 303);
  })
  .post("/sign-out", async (c) => {
    await endSession(c);
    return c.redirect("/admin/sign-in", 303);
  });
