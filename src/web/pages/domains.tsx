/** Domains: list and add; one domain's settings, its DNS records and DKIM selectors. */
import type { Context } from "hono";
import { Hono } from "hono";
import { apiGet, apiSend, enc, formOf, query } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, FieldError, Notice, Pager, when } from "../layout";
import { fieldErrors, problemText, render } from "../respond";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/domains/routes.ts Domain)
type Json = any;

export function DomainList(props: { page: Json; csrf: string; errors?: Record<string, string>; problem?: string }) {
  const items: Json[] = props.page.items ?? [];
  return (
    <>
      {items.length === 0 ? (
        <Empty>No domains yet. Add the first one below.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Domain</th>
              <th scope="col">Enabled</th>
              <th scope="col">Catch-all</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr>
                <td>
                  <a href={`/admin/domains/${enc(d.name)}`}>{d.name}</a>
                </td>
                <td>{d.enabled ? "yes" : "no"}</td>
                <td>{d.catch_all ? d.catch_all.join(", ") : "reject"}</td>
                <td>{when(d.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={props.page.next_cursor} base="/admin/domains" />
      <h2>Add a domain</h2>
      {props.problem ? <Notice kind="error">{props.problem}</Notice> : null}
      <form method="post" action="/admin/domains">
        <CsrfField csrf={props.csrf} />
        <label for="name">Domain name</label>
        <input type="text" id="name" name="name" required aria-describedby="name-error" />
        <FieldError id="name-error" message={props.errors?.name} />
        <p>
          <button type="submit">Add domain</button>
        </p>
      </form>
    </>
  );
}

export function DomainDetail(props: { domain: Json; dkim: Json; csrf: string; done?: string; problem?: string }) {
  const d = props.domain;
  const base = `/admin/domains/${enc(d.name)}`;
  return (
    <>
      {props.done ? <Notice kind="ok">{props.done}</Notice> : null}
      {props.problem ? <Notice kind="error">{props.problem}</Notice> : null}
      <p>
        <a href={`${base}/health`}>Domain health: DMARC and TLS reports, DNS check</a>
      </p>
      <form method="post" action={`${base}/settings`}>
        <CsrfField csrf={props.csrf} />
        <fieldset>
          <legend>Settings</legend>
          <label class="check">
            <input type="checkbox" name="enabled" value="yes" checked={d.enabled} /> Enabled: receive mail for {d.name}
          </label>
          <label for="catch_all">Catch-all destinations</label>
          <p class="help" id="catch-help">
            Where mail to unknown local parts goes, one address a line; empty rejects it.
          </p>
          <textarea id="catch_all" name="catch_all" aria-describedby="catch-help">
            {(d.catch_all ?? []).join("\n")}
          </textarea>
          <label for="relay_url">Relay override</label>
          <p class="help" id="relay-help">
            A relay URL for this domain's outbound mail instead of RELAY_URL; empty uses the default.
          </p>
          <input type="text" id="relay_url" name="relay_url" value={d.relay_url ?? ""} aria-describedby="relay-help" />
          <p>
            <button type="submit">Save</button>
          </p>
        </fieldset>
      </form>
      <h2>DNS records to publish</h2>
      <p>
        <a href={`/admin/domains/${enc(d.name)}/dns-check`}>Check what is published now</a>: each record compared with
        the expected one, and what to fix.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Name</th>
            <th scope="col">Content</th>
            <th scope="col">Purpose</th>
          </tr>
        </thead>
        <tbody>
          {(props.dkim.records ?? []).map((r: Json, i: number) => (
            <tr>
              <td>{r.type}</td>
              <td class="mono">{r.name}</td>
              <td>
                <div class="record">
                  <code id={`record-${i}`}>{r.priority !== undefined ? `${r.priority} ${r.content}` : r.content}</code>
                  <button type="button" class="secondary" data-copy={`record-${i}`}>
                    Copy
                  </button>
                </div>
              </td>
              <td>{r.purpose}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>DKIM selectors</h2>
      {(props.dkim.keys ?? []).length === 0 ? (
        <Empty>No DKIM key: list mail and submissions from {d.name} are not signed.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Selector</th>
              <th scope="col">Algorithm</th>
              <th scope="col">Signs</th>
              <th scope="col">Created</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {props.dkim.keys.map((k: Json) => (
              <tr>
                <td class="mono">{k.selector}</td>
                <td>{k.algorithm}</td>
                <td>{k.signing ? "yes (newest)" : "no"}</td>
                <td>{when(k.created_at)}</td>
                <td>
                  <form method="post" action={`${base}/dkim/${enc(k.selector)}/delete`} class="inline">
                    <CsrfField csrf={props.csrf} />
                    <button type="submit" class="danger">
                      Delete {k.selector}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action={`${base}/dkim`}>
        <CsrfField csrf={props.csrf} />
        <p class="help">
          Generating a key while one exists rotates: the new selector signs, the old one stays published until you
          delete it.
        </p>
        <label for="algorithm">Algorithm</label>
        <select id="algorithm" name="algorithm">
          <option value="rsa">RSA-2048</option>
          <option value="ed25519">Ed25519</option>
        </select>
        <p>
          <button type="submit">
            {(props.dkim.keys ?? []).length ? "Rotate: generate a new key" : "Generate a key"}
          </button>
        </p>
      </form>
    </>
  );
}

const lines = (text: string | undefined) =>
  (text ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

async function detail(c: Context<WebEnv>, name: string, extra: { done?: string; problem?: string } = {}, status = 200) {
  const [domain, dkim] = await Promise.all([
    apiGet(c, `/domains/${enc(name)}`),
    apiGet(c, `/domains/${enc(name)}/dkim`),
  ]);
  return render(c, domain.name, <DomainDetail domain={domain} dkim={dkim} csrf={c.get("csrf")} {...extra} />, status);
}

export const domainPages = new Hono<WebEnv>()
  .get("/domains", async (c) => {
    const page = await apiGet(c, `/domains${query({ cursor: c.req.query("cursor") })}`);
    return render(c, "Domains", <DomainList page={page} csrf={c.get("csrf")} />, 200, "/admin/domains");
  })
  .post("/domains", async (c) => {
    const form = await formOf(c);
    const reply = await apiSend(c, "POST", "/domains", { name: form.name ?? "" });
    if (reply.status === 201) return c.redirect(`/admin/domains/${enc(reply.body.name)}?done=added`, 303);
    const page = await apiGet(c, "/domains");
    return render(
      c,
      "Domains",
      <DomainList page={page} csrf={c.get("csrf")} errors={fieldErrors(reply)} problem={problemText(reply)} />,
      reply.status,
    );
  })
  .get("/domains/:domain", (c) =>
    detail(c, c.req.param("domain"), { done: c.req.query("done") ? `Done: ${c.req.query("done")}.` : undefined }),
  )
  .post("/domains/:domain/settings", async (c) => {
    const name = c.req.param("domain");
    const form = await formOf(c);
    const catchAll = lines(form.catch_all);
    const reply = await apiSend(c, "PATCH", `/domains/${enc(name)}`, {
      enabled: form.enabled === "yes",
      catch_all: catchAll.length ? catchAll : null,
      relay_url: form.relay_url?.trim() ? form.relay_url.trim() : null,
    });
    if (reply.status === 200) return c.redirect(`/admin/domains/${enc(name)}?done=saved`, 303);
    return detail(c, name, { problem: problemText(reply) }, reply.status);
  })
  .post("/domains/:domain/dkim", async (c) => {
    const name = c.req.param("domain");
    const form = await formOf(c);
    const reply = await apiSend(c, "POST", `/domains/${enc(name)}/dkim`, { algorithm: form.algorithm ?? "rsa" });
    if (reply.status === 201) return c.redirect(`/admin/domains/${enc(name)}?done=key+generated`, 303);
    return detail(c, name, { problem: problemText(reply) }, reply.status);
  })
  .post("/domains/:domain/dkim/:selector/delete", async (c) => {
    const name = c.req.param("domain");
    const reply = await apiSend(c, "DELETE", `/domains/${enc(name)}/dkim/${enc(c.req.param("selector"))}`);
    if (reply.status === 200) return c.redirect(`/admin/domains/${enc(name)}?done=selector+deleted`, 303);
    return detail(c, name, { problem: problemText(reply) }, reply.status);
  });
