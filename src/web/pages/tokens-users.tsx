/** API tokens (create: shown once; revoke; last use) and users (create, reset a password). */
import { Hono } from "hono";
import { revokeUserSessions } from "../../store/sessions";
import { apiGet, apiSend, enc, formOf, query } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, FieldError, Notice, Pager, when } from "../layout";
import { fieldErrors, problemText, render } from "../respond";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/tokens, src/api/users)
type Json = any;

export function TokenPage(props: {
  page: Json;
  csrf: string;
  created?: Json;
  errors?: Record<string, string>;
  problem?: string;
}) {
  const items: Json[] = props.page.items ?? [];
  return (
    <>
      {props.created ? (
        <div class="shown-once" role="status">
          <p>
            Token <strong>{props.created.name}</strong> created. Copy it now: it is shown only once.
          </p>
          <div class="record">
            <code id="new-token">{props.created.token}</code>
            <button type="button" class="secondary" data-copy="new-token">
              Copy
            </button>
          </div>
        </div>
      ) : null}
      {items.length === 0 ? (
        <Empty>No API tokens yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr>
                <td>{t.name}</td>
                <td class="mono">{t.scopes.join(" ") || "(none)"}</td>
                <td>{when(t.last_used_at)}</td>
                <td>
                  {t.revoked_at ? (
                    `revoked ${when(t.revoked_at)}`
                  ) : (
                    <form method="post" action={`/admin/tokens/${enc(t.id)}/revoke`} class="inline">
                      <CsrfField csrf={props.csrf} />
                      <button type="submit" class="danger">
                        Revoke {t.name}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={props.page.next_cursor} base="/admin/tokens" />
      <h2>New token</h2>
      {props.problem ? <Notice kind="error">{props.problem}</Notice> : null}
      <form method="post" action="/admin/tokens">
        <CsrfField csrf={props.csrf} />
        <label for="token-name">Name</label>
        <input type="text" id="token-name" name="name" required aria-describedby="name-error" />
        <FieldError id="name-error" message={props.errors?.name} />
        <label for="scopes">Scopes</label>
        <p class="help" id="scopes-help">
          Space-separated: admin, read, or domain:example.com (that domain only).
        </p>
        <input type="text" id="scopes" name="scopes" aria-describedby="scopes-help scopes-error" />
        <FieldError id="scopes-error" message={props.errors?.scopes} />
        <p>
          <button type="submit">Create token</button>
        </p>
      </form>
    </>
  );
}

export function UserPage(props: {
  page: Json;
  csrf: string;
  errors?: Record<string, string>;
  problem?: string;
  done?: string;
}) {
  const items: Json[] = props.page.items ?? [];
  return (
    <>
      {props.done ? <Notice kind="ok">{props.done}</Notice> : null}
      {props.problem ? <Notice kind="error">{props.problem}</Notice> : null}
      {items.length === 0 ? (
        <Empty>No users yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Mailboxes</th>
              <th scope="col">Aliases</th>
              <th scope="col">Admin</th>
              <th scope="col">Reset password</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr>
                <td>{u.name}</td>
                <td>{(u.mailboxes ?? []).join(", ")}</td>
                <td>{(u.aliases ?? []).join(", ")}</td>
                <td>{u.is_admin ? "yes" : "no"}</td>
                <td>
                  <form method="post" action={`/admin/users/${enc(u.name)}/password`} class="inline">
                    <CsrfField csrf={props.csrf} />
                    <label for={`pw-${u.name}`} class="sr-only">
                      New password for {u.name}
                    </label>
                    <input type="password" id={`pw-${u.name}`} name="password" autocomplete="new-password" required />
                    <button type="submit">Reset</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={props.page.next_cursor} base="/admin/users" />
      <h2>New user</h2>
      <form method="post" action="/admin/users">
        <CsrfField csrf={props.csrf} />
        <label for="user-name">Name</label>
        <input type="text" id="user-name" name="name" required aria-describedby="user-name-error" />
        <FieldError id="user-name-error" message={props.errors?.name} />
        <label for="user-password">Password</label>
        <input
          type="password"
          id="user-password"
          name="password"
          autocomplete="new-password"
          aria-describedby="user-password-error"
        />
        <FieldError id="user-password-error" message={props.errors?.password} />
        <label for="mailboxes">Mailboxes</label>
        <p class="help" id="mailboxes-help">
          The user's real addresses, one a line.
        </p>
        <textarea id="mailboxes" name="mailboxes" aria-describedby="mailboxes-help mailboxes-error" />
        <FieldError id="mailboxes-error" message={props.errors?.mailboxes} />
        <p>
          <button type="submit">Create user</button>
        </p>
      </form>
    </>
  );
}

const words = (text: string | undefined) => (text ?? "").split(/[\s,]+/).filter(Boolean);

export const tokenUserPages = new Hono<WebEnv>()
  .get("/tokens", async (c) => {
    const page = await apiGet(c, `/tokens${query({ cursor: c.req.query("cursor") })}`);
    return render(c, "API tokens", <TokenPage page={page} csrf={c.get("csrf")} />, 200, "/admin/tokens");
  })
  .post("/tokens", async (c) => {
    const form = await formOf(c);
    const reply = await apiSend(c, "POST", "/tokens", { name: form.name ?? "", scopes: words(form.scopes) });
    const page = await apiGet(c, "/tokens");
    if (reply.status === 201)
      return render(c, "API tokens", <TokenPage page={page} csrf={c.get("csrf")} created={reply.body} />);
    return render(
      c,
      "API tokens",
      <TokenPage page={page} csrf={c.get("csrf")} errors={fieldErrors(reply)} problem={problemText(reply)} />,
      reply.status,
    );
  })
  .post("/tokens/:id/revoke", async (c) => {
    await apiSend(c, "DELETE", `/tokens/${enc(c.req.param("id"))}`);
    return c.redirect("/admin/tokens", 303);
  })
  .get("/users", async (c) => {
    const page = await apiGet(c, `/users${query({ cursor: c.req.query("cursor") })}`);
    return render(
      c,
      "Users",
      <UserPage page={page} csrf={c.get("csrf")} done={c.req.query("done")} />,
      200,
      "/admin/users",
    );
  })
  .post("/users", async (c) => {
    const form = await formOf(c);
    const reply = await apiSend(c, "POST", "/users", {
      name: form.name ?? "",
      password: form.password || null,
      mailboxes: words(form.mailboxes),
    });
    if (reply.status === 201) return c.redirect(`/admin/users?done=${enc(`User ${reply.body.name} created.`)}`, 303);
    const page = await apiGet(c, "/users");
    return render(
      c,
      "Users",
      <UserPage page={page} csrf={c.get("csrf")} errors={fieldErrors(reply)} problem={problemText(reply)} />,
      reply.status,
    );
  })
  .post("/users/:name/password", async (c) => {
    const name = c.req.param("name");
    const form = await formOf(c);
    const reply = await apiSend(c, "PATCH", `/users/${enc(name)}`, { password: form.password ?? "" });
    if (reply.status === 200) {
      // A reset password ends the user's web sessions: whoever knew the old one is signed out.
      await revokeUserSessions(c.env.DB, name, Date.now());
      return c.redirect(`/admin/users?done=${enc(`Password of ${name} reset.`)}`, 303);
    }
    const page = await apiGet(c, "/users");
    return render(c, "Users", <UserPage page={page} csrf={c.get("csrf")} problem={problemText(reply)} />, reply.status);
  });
