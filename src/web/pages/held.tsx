/**
 * A list's held posts: the hold reason, a preview (headers, text, sanitised HTML in a sandboxed
 * frame), approve / reject with a reason / discard, one at a time or several at once. Moderation
 * is the API's POST /held/{id}/{action}; the preview reads the held body from R2 only after the
 * API has shown that the principal may read the list's held queue.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import PostalMime from "postal-mime";
import { findHeldById } from "../../store/held";
import { apiGet, apiSend, enc, formAll, formOf, query } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, Notice, Pager, when } from "../layout";
import { ApiFailure, render } from "../respond";
import { sanitizeMailHtml } from "../sanitize-html";
import { PREVIEW_CSP } from "../security-headers";
import { ListNav } from "./list-nav";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/lists/routes.ts HeldSchema)
type Json = any;

const ACTIONS = ["approve", "reject", "discard"] as const;

function ModerationControls(props: { idPrefix: string }) {
  return (
    <div class="toolbar">
      <div>
        <label for={`${props.idPrefix}-action`}>Action</label>
        <select id={`${props.idPrefix}-action`} name="action">
          <option value="approve">Approve: distribute to the list</option>
          <option value="reject">Reject: tell the author why</option>
          <option value="discard">Discard silently</option>
        </select>
      </div>
      <div>
        <label for={`${props.idPrefix}-comment`}>Reason (sent with a rejection)</label>
        <input type="text" id={`${props.idPrefix}-comment`} name="comment" maxlength={1000} />
      </div>
      <button type="submit">Apply</button>
    </div>
  );
}

export function HeldQueue(props: { list: string; page: Json; csrf: string; done?: string }) {
  const items: Json[] = props.page.items ?? [];
  const base = `/admin/lists/${enc(props.list)}/held`;
  return (
    <>
      {props.done ? <Notice kind="ok">{props.done}</Notice> : null}
      {items.length === 0 ? (
        <Empty>No post is waiting for moderation.</Empty>
      ) : (
        <form method="post" action={`${base}/moderate`}>
          <CsrfField csrf={props.csrf} />
          <table>
            <thead>
              <tr>
                <th scope="col">
                  <input type="checkbox" data-select-all="id" aria-label="Select all held posts" />
                </th>
                <th scope="col">Subject</th>
                <th scope="col">Author</th>
                <th scope="col">Why held</th>
                <th scope="col">Held since</th>
              </tr>
            </thead>
            <tbody>
              {items.map((h) => (
                <tr>
                  <td>
                    <input type="checkbox" name="id" value={h.id} aria-label={`Select post ${h.id}`} />
                  </td>
                  <td>
                    <a href={`${base}/${enc(h.id)}`}>{h.subject ?? "(no subject)"}</a>
                  </td>
                  <td>{h.author ?? "—"}</td>
                  <td>{h.reason}</td>
                  <td>{when(h.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ModerationControls idPrefix="bulk" />
        </form>
      )}
      <Pager next={props.page.next_cursor} base={base} />
    </>
  );
}

export function HeldPreview(props: {
  list: string;
  held: Json;
  headers: [string, string][];
  text: string | null;
  hasHtml: boolean;
  csrf: string;
}) {
  const base = `/admin/lists/${enc(props.list)}/held`;
  return (
    <>
      <p>
        Held because: <strong>{props.held.reason}</strong> (rule {props.held.rule}). Sender{" "}
        {props.held.authenticated ? "authenticated" : "not authenticated"}, {props.held.size} bytes.
      </p>
      <form method="post" action={`${base}/moderate`}>
        <CsrfField csrf={props.csrf} />
        <input type="hidden" name="id" value={props.held.id} />
        <ModerationControls idPrefix="one" />
      </form>
      <h2>Headers</h2>
      <table>
        <tbody>
          {props.headers.map(([name, value]) => (
            <tr>
              <th scope="row">{name}</th>
              <td class="mono">{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Text</h2>
      {props.text ? <pre>{props.text}</pre> : <Empty>No text part.</Empty>}
      <h2>HTML</h2>
      {props.hasHtml ? (
        <iframe
          class="preview"
          title="HTML part, without scripts or remote content"
          sandbox=""
          src={`${base}/${enc(props.held.id)}/html`}
        />
      ) : (
        <Empty>No HTML part.</Empty>
      )}
    </>
  );
}

const SHOWN_HEADERS = new Set([
  "from",
  "to",
  "cc",
  "subject",
  "date",
  "message-id",
  "reply-to",
  "authentication-results",
]);

/** The held post (as the API shows it to this principal) and its parsed body. */
async function loadHeld(c: Context<WebEnv>) {
  const list = c.req.param("address") ?? "";
  const id = c.req.param("id") ?? "";
  const page = await apiGet(c, `/lists/${enc(list)}/held?limit=200`);
  const held = (page.items ?? []).find((h: Json) => h.id === id);
  if (!held) throw new ApiFailure({ status: 404, body: { detail: `no held post ${id} on ${list}` } });
  const row = await findHeldById(c.env.DB, id);
  const object = row ? await c.env.MAIL.get(row.r2Key) : null;
  const parsed = object ? await PostalMime.parse(await object.arrayBuffer()) : null;
  return { list, held, parsed };
}

export const heldPages = new Hono<WebEnv>()
  .get("/lists/:address/held", async (c) => {
    const address = c.req.param("address");
    const page = await apiGet(c, `/lists/${enc(address)}/held${query({ cursor: c.req.query("cursor") })}`);
    return render(
      c,
      `Held posts of ${address}`,
      <>
        <ListNav address={address} current="held" />
        <HeldQueue list={address} page={page} csrf={c.get("csrf")} done={c.req.query("done")} />
      </>,
    );
  })
  .post("/lists/:address/held/moderate", async (c) => {
    const address = c.req.param("address");
    const form = await formOf(c);
    const ids = await formAll(c, "id");
    const action = (ACTIONS as readonly string[]).includes(form.action ?? "") ? form.action : "approve";
    const outcomes: string[] = [];
    for (const id of ids) {
      const reply = await apiSend(c, "POST", `/held/${enc(id)}/${action}`, { comment: form.comment || undefined });
      outcomes.push(reply.status === 200 ? `${id}: ${action}d` : `${id}: ${reply.body?.detail ?? reply.status}`);
    }
    const done = ids.length ? outcomes.join("; ") : "Nothing selected.";
    return c.redirect(`/admin/lists/${enc(address)}/held?done=${enc(done)}`, 303);
  })
  .get("/lists/:address/held/:id", async (c) => {
    const { list, held, parsed } = await loadHeld(c);
    const headers: [string, string][] = (parsed?.headers ?? [])
      .filter((h) => SHOWN_HEADERS.has(h.key))
      .map((h) => [h.key, h.value]);
    return render(
      c,
      held.subject ?? "(no subject)",
      <>
        <ListNav address={list} current="held" />
        <HeldPreview
          list={list}
          held={held}
          headers={headers}
          text={parsed?.text ?? null}
          hasHtml={!!parsed?.html}
          csrf={c.get("csrf")}
        />
      </>,
    );
  })
  .get("/lists/:address/held/:id/html", async (c) => {
    const { parsed } = await loadHeld(c);
    const html = await sanitizeMailHtml(parsed?.html ?? "");
    return c.html(html, 200, { "content-security-policy": PREVIEW_CSP, "x-frame-options": "SAMEORIGIN" });
  });
