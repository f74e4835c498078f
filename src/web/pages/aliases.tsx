/** Aliases: list (filtered by domain, searched within the page), create, edit, enable/disable. */
import type { Context } from "hono";
import { Hono } from "hono";
import { apiGet, apiSend, enc, formOf, query } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, FieldError, Notice, Pager } from "../layout";
import { fieldErrors, problemText, render } from "../respond";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/aliases/routes.ts Alias)
type Json = any;

/** A destination with its verified mark (Cloudflare-verified: forward() reaches it). */
export function DestinationMark(props: { address: string; verified: Set<string> | null }) {
  if (!props.verified) return <span>{props.address}</span>;
  const ok = props.verified.has(props.address.toLowerCase());
  return (
    <span>
      {props.address}{" "}
      <span class={ok ? "ok" : "bad"} title={ok ? "verified" : "not verified: goes through the relay"}>
        {ok ? "✓ verified" : "relay"}
      </span>
    </span>
  );
}

export function AliasForm(props: { csrf: string; alias?: Json; errors?: Record<string, string>; action: string }) {
  const a = props.alias;
  return (
    <form method="post" action={props.action}>
      <CsrfField csrf={props.csrf} />
      {a ? null : (
        <>
          <label for="address">Address</label>
          <p class="help" id="address-help">
            Exact (team@example.com), or a pattern with * (sales-*@example.com).
          </p>
          <input type="text" id="address" name="address" required aria-describedby="address-help address-error" />
          <FieldError id="address-error" message={props.errors?.address} />
        </>
      )}
      <label for="destinations">Destinations</label>
      <p class="help" id="dest-help">
        One address a line; empty delivers to the owner's mailboxes.
      </p>
      <textarea id="destinations" name="destinations" aria-describedby="dest-help destinations-error">
        {(a?.destinations ?? []).join("\n")}
      </textarea>
      <FieldError id="destinations-error" message={props.errors?.destinations} />
      <label for="owner">Owner (user name)</label>
      <input type="text" id="owner" name="owner" value={a?.owner ?? ""} aria-describedby="owner-error" />
      <FieldError id="owner-error" message={props.errors?.owner} />
      <label for="description">Description</label>
      <input type="text" id="description" name="description" value={a?.description ?? ""} />
      <p>
        <label class="check">
          <input type="checkbox" name="enabled" value="yes" checked={a ? a.enabled : true} /> Enabled
        </label>
      </p>
      <p>
        <button type="submit">{a ? "Save alias" : "Create alias"}</button>
      </p>
    </form>
  );
}

export function AliasList(props: {
  page: Json;
  csrf: string;
  q: string;
  domain: string;
  verified: Set<string> | null;
  errors?: Record<string, string>;
  problem?: string;
}) {
  const q = props.q.toLowerCase();
  const items: Json[] = (props.page.items ?? []).filter(
    (a: Json) => !q || a.address.toLowerCase().includes(q) || (a.description ?? "").toLowerCase().includes(q),
  );
  return (
    <>
      <form method="get" action="/admin/aliases" class="toolbar">
        <div>
          <label for="q">Search</label>
          <input type="search" id="q" name="q" value={props.q} />
        </div>
        <div>
          <label for="domain-filter">Domain</label>
          <input type="text" id="domain-filter" name="domain" value={props.domain} />
        </div>
        <button type="submit">Filter</button>
      </form>
      {items.length === 0 ? (
        <Empty>{props.q || props.domain ? "No alias matches." : "No aliases yet."}</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Destinations</th>
              <th scope="col">Owner</th>
              <th scope="col">Enabled</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr>
                <td>
                  <a href={`/admin/aliases/${enc(a.address)}`}>{a.address}</a>
                  {a.is_pattern ? " (pattern)" : ""}
                </td>
                <td>
                  {a.destinations ? (
                    <ul>
                      {a.destinations.map((d: string) => (
                        <li>
                          <DestinationMark address={d} verified={props.verified} />
                        </li>
                      ))}
                    </ul>
                  ) : (
                    "owner's mailboxes"
                  )}
                </td>
                <td>{a.owner ?? "—"}</td>
                <td>{a.enabled ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={props.page.next_cursor} base="/admin/aliases" query={{ q: props.q, domain: props.domain }} />
      <h2>New alias</h2>
      {props.problem ? <Notice kind="error">{props.problem}</Notice> : null}
      <AliasForm csrf={props.csrf} errors={props.errors} action="/admin/aliases" />
    </>
  );
}

/** Verified destinations, when the principal may read them (account-wide: admin or read). */
export async function verifiedSet(c: Context<WebEnv>): Promise<Set<string> | null> {
  const reply = await apiSend(c, "GET", "/destinations?limit=200");
  if (reply.status !== 200) return null;
  return new Set(
    (reply.body.items ?? []).filter((d: Json) => d.verified).map((d: Json) => String(d.address).toLowerCase()),
  );
}

const lines = (text: string | undefined) =>
  (text ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

function aliasBody(form: Record<string, string>) {
  const destinations = lines(form.destinations);
  return {
    destinations: destinations.length ? destinations : null,
    owner: form.owner?.trim() || null,
    enabled: form.enabled === "yes",
    description: form.description?.trim() || null,
  };
}

async function listPage(
  c: Context<WebEnv>,
  extra: { errors?: Record<string, string>; problem?: string },
  status = 200,
) {
  const q = c.req.query("q") ?? "";
  const domain = c.req.query("domain") ?? "";
  const [page, verified] = await Promise.all([
    apiGet(c, `/aliases${query({ limit: "100", domain, cursor: c.req.query("cursor") })}`),
    verifiedSet(c),
  ]);
  return render(
    c,
    "Aliases",
    <AliasList page={page} csrf={c.get("csrf")} q={q} domain={domain} verified={verified} {...extra} />,
    status,
    "/admin/aliases",
  );
}

export const aliasPages = new Hono<WebEnv>()
  .get("/aliases", (c) => listPage(c, {}))
  .post("/aliases", async (c) => {
    const form = await formOf(c);
    const reply = await apiSend(c, "POST", "/aliases", { address: form.address?.trim() ?? "", ...aliasBody(form) });
    if (reply.status === 201) return c.redirect(`/admin/aliases/${enc(reply.body.address)}?done=created`, 303);
    return listPage(c, { errors: fieldErrors(reply), problem: problemText(reply) }, reply.status);
  })
  .get("/aliases/:address", async (c) => {
    const address = c.req.param("address");
    const [alias, verified] = await Promise.all([apiGet(c, `/aliases/${enc(address)}`), verifiedSet(c)]);
    return render(
      c,
      alias.address,
      <>
        {c.req.query("done") ? <Notice kind="ok">Alias {c.req.query("done")}.</Notice> : null}
        <p>
          Destinations:{" "}
          {(alias.destinations ?? []).map((d: string) => (
            <DestinationMark address={d} verified={verified} />
          ))}
        </p>
        <AliasForm csrf={c.get("csrf")} alias={alias} action={`/admin/aliases/${enc(alias.address)}`} />
      </>,
    );
  })
  .post("/aliases/:address", async (c) => {
    const address = c.req.param("address");
    const reply = await apiSend(c, "PATCH", `/aliases/${enc(address)}`, aliasBody(await formOf(c)));
    if (reply.status === 200) return c.redirect(`/admin/aliases/${enc(address)}?done=saved`, 303);
    const alias = await apiGet(c, `/aliases/${enc(address)}`);
    return render(
      c,
      alias.address,
      <>
        <Notice kind="error">{problemText(reply)}</Notice>
        <AliasForm
          csrf={c.get("csrf")}
          alias={alias}
          errors={fieldErrors(reply)}
          action={`/admin/aliases/${enc(alias.address)}`}
        />
      </>,
      reply.status,
    );
  });
