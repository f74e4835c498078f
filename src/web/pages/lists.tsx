/** Mailing lists: list and create; one list's settings, each explained in one line. */
import type { Context } from "hono";
import { Hono } from "hono";
import { DMARC_MODES, LIST_POLICIES, NON_MEMBER_ACTIONS, REPLY_TO_POLICIES } from "../../store/list-settings";
import { apiGet, apiSend, enc, formOf, query } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, FieldError, Notice, Pager } from "../layout";
import { fieldErrors, problemText, render } from "../respond";
import { heldPages } from "./held";
import { ListNav } from "./list-nav";
import { memberPages } from "./members";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/lists/routes.ts ListSchema)
type Json = any;

export function ListIndex(props: { page: Json; csrf: string; errors?: Record<string, string>; problem?: string }) {
  const items: Json[] = props.page.items ?? [];
  return (
    <>
      {items.length === 0 ? (
        <Empty>No mailing lists yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">List</th>
              <th scope="col">Name</th>
              <th scope="col">Posting</th>
              <th scope="col">Enabled</th>
            </tr>
          </thead>
          <tbody>
            {items.map((l) => (
              <tr>
                <td>
                  <a href={`/admin/lists/${enc(l.address)}`}>{l.address}</a>
                </td>
                <td>{l.name}</td>
                <td>{l.policy}</td>
                <td>{l.enabled ? "yes" : "no"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={props.page.next_cursor} base="/admin/lists" />
      <h2>New list</h2>
      {props.problem ? <Notice kind="error">{props.problem}</Notice> : null}
      <form method="post" action="/admin/lists">
        <CsrfField csrf={props.csrf} />
        <label for="address">List address</label>
        <input type="text" id="address" name="address" required aria-describedby="address-error" />
        <FieldError id="address-error" message={props.errors?.address} />
        <label for="name">Name</label>
        <input type="text" id="name" name="name" aria-describedby="name-error" />
        <FieldError id="name-error" message={props.errors?.name} />
        <p>
          <button type="submit">Create list</button>
        </p>
      </form>
    </>
  );
}

const EXPLAIN: Record<string, string> = {
  policy:
    "Who may post: open (anyone), members, moderated (every post is held), announce (only owners and moderators).",
  non_member_action: "What happens to a post from a non-member: hold it for moderation, reject it, or discard it.",
  dmarc_mode:
    "DMARC mitigation: auto rewrites From only when the author's domain asks for it, munge always, wrap sends the post as an attachment, none never.",
  subject_prefix: "Put before every subject, e.g. [team]; empty for none.",
  reply_to: "Where replies go: to the list, to the author, or left as the author set it (none).",
};

function Select(props: { name: string; value: string; options: readonly string[]; label: string }) {
  return (
    <>
      <label for={props.name}>{props.label}</label>
      <p class="help" id={`${props.name}-help`}>
        {EXPLAIN[props.name]}
      </p>
      <select id={props.name} name={props.name} aria-describedby={`${props.name}-help`}>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </>
  );
}

export function ListSettingsForm(props: { list: Json; csrf: string; errors?: Record<string, string> }) {
  const l = props.list;
  return (
    <form method="post" action={`/admin/lists/${enc(l.address)}/settings`}>
      <CsrfField csrf={props.csrf} />
      <fieldset>
        <legend>Settings</legend>
        <label for="name">Name</label>
        <input type="text" id="name" name="name" value={l.name} aria-describedby="name-error" />
        <FieldError id="name-error" message={props.errors?.name} />
        <Select name="policy" label="Posting policy" value={l.policy} options={LIST_POLICIES} />
        <Select
          name="non_member_action"
          label="Posts from non-members"
          value={l.non_member_action}
          options={NON_MEMBER_ACTIONS}
        />
        <Select name="dmarc_mode" label="DMARC mitigation" value={l.dmarc_mode} options={DMARC_MODES} />
        <label for="subject_prefix">Subject prefix</label>
        <p class="help" id="subject_prefix-help">
          {EXPLAIN.subject_prefix}
        </p>
        <input
          type="text"
          id="subject_prefix"
          name="subject_prefix"
          value={l.subject_prefix ?? ""}
          aria-describedby="subject_prefix-help subject_prefix-error"
        />
        <FieldError id="subject_prefix-error" message={props.errors?.subject_prefix} />
        <Select name="reply_to" label="Reply-To" value={l.reply_to} options={REPLY_TO_POLICIES} />
        <p>
          <label class="check">
            <input type="checkbox" name="enabled" value="yes" checked={l.enabled} /> Enabled: the list accepts and
            distributes posts
          </label>
        </p>
        <p>
          <button type="submit">Save settings</button>
        </p>
      </fieldset>
    </form>
  );
}

async function settingsPage(
  c: Context<WebEnv>,
  extra: { errors?: Record<string, string>; problem?: string },
  status = 200,
) {
  const list = await apiGet(c, `/lists/${enc(c.req.param("address") ?? "")}`);
  return render(
    c,
    list.address,
    <>
      <ListNav address={list.address} current="settings" />
      {c.req.query("done") ? <Notice kind="ok">List {c.req.query("done")}.</Notice> : null}
      {extra.problem ? <Notice kind="error">{extra.problem}</Notice> : null}
      <ListSettingsForm list={list} csrf={c.get("csrf")} errors={extra.errors} />
    </>,
    status,
  );
}

export const listPages = new Hono<WebEnv>()
  .get("/lists", async (c) => {
    const page = await apiGet(c, `/lists${query({ cursor: c.req.query("cursor") })}`);
    return render(c, "Mailing lists", <ListIndex page={page} csrf={c.get("csrf")} />, 200, "/admin/lists");
  })
  .post("/lists", async (c) => {
    const form = await formOf(c);
    const body: Json = { address: form.address?.trim() ?? "" };
    if (form.name?.trim()) body.name = form.name.trim();
    const reply = await apiSend(c, "POST", "/lists", body);
    if (reply.status === 201) return c.redirect(`/admin/lists/${enc(reply.body.address)}?done=created`, 303);
    const page = await apiGet(c, "/lists");
    return render(
      c,
      "Mailing lists",
      <ListIndex page={page} csrf={c.get("csrf")} errors={fieldErrors(reply)} problem={problemText(reply)} />,
      reply.status,
    );
  })
  .get("/lists/:address", (c) => settingsPage(c, {}))
  .post("/lists/:address/settings", async (c) => {
    const address = c.req.param("address");
    const form = await formOf(c);
    const reply = await apiSend(c, "PATCH", `/lists/${enc(address)}`, {
      name: form.name ?? "",
      policy: form.policy,
      non_member_action: form.non_member_action,
      dmarc_mode: form.dmarc_mode,
      subject_prefix: form.subject_prefix?.trim() || null,
      reply_to: form.reply_to,
      enabled: form.enabled === "yes",
    });
    if (reply.status === 200) return c.redirect(`/admin/lists/${enc(address)}?done=saved`, 303);
    return settingsPage(c, { errors: fieldErrors(reply), problem: problemText(reply) }, reply.status);
  })
  .route("/", memberPages)
  .route("/", heldPages);
