/**
 * An alias's contacts (reverse aliases): who wrote to it, the reverse address that reaches each
 * one as the alias, block / unblock, and a form to add a contact to write first. "Block this
 * sender" from the inbound log posts here too. Everything goes through the admin API in-process.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { apiGet, apiSend, enc, formOf, query } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, FieldError, Notice, Pager, when } from "../layout";
import { fieldErrors, problemText, render } from "../respond";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/contacts/routes.ts Contact)
type Json = any;

export function ContactList(props: {
  alias: string;
  page: Json;
  csrf: string;
  errors?: Record<string, string>;
  problem?: string;
}) {
  const base = `/admin/aliases/${enc(props.alias)}/contacts`;
  const items: Json[] = props.page.items ?? [];
  return (
    <>
      {props.problem ? <Notice kind="error">{props.problem}</Notice> : null}
      {items.length === 0 ? (
        <Empty>No contacts yet: they appear when someone writes to {props.alias} with reverse aliases on.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Correspondent</th>
              <th>Reverse address (write here to reach them as the alias)</th>
              <th>Last seen</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((contact: Json) => (
              <tr>
                <td>{contact.address}</td>
                <td>
                  <code>{contact.reverse_address}</code>
                </td>
                <td>{when(contact.last_seen_at)}</td>
                <td>
                  <form method="post" action={`${base}/${enc(contact.id)}`}>
                    <CsrfField csrf={props.csrf} />
                    <input type="hidden" name="blocked" value={contact.blocked ? "no" : "yes"} />
                    <span class={contact.blocked ? "bad" : "ok"}>{contact.blocked ? "blocked" : "allowed"}</span>{" "}
                    <button type="submit">{contact.blocked ? "Unblock" : "Block"}</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={props.page.next_cursor ?? null} base={base} />
      <h2>Write first</h2>
      <form method="post" action={base}>
        <CsrfField csrf={props.csrf} />
        <label for="address">Correspondent's address</label>
        <input type="email" id="address" name="address" required aria-describedby="address-error" />
        <FieldError id="address-error" message={props.errors?.address} />
        <p>
          <button type="submit">Add contact</button>
        </p>
      </form>
    </>
  );
}

async function contactsPage(
  c: Context<WebEnv>,
  extra: { errors?: Record<string, string>; problem?: string },
  status = 200,
) {
  const alias = c.req.param("address") ?? "";
  const page = await apiGet(c, `/aliases/${enc(alias)}/contacts${query({ cursor: c.req.query("cursor") })}`);
  const done = c.req.query("done");
  return render(
    c,
    `Contacts of ${alias}`,
    <>
      {done ? <Notice kind="ok">Contact {done}.</Notice> : null}
      <ContactList alias={alias} page={page} csrf={c.get("csrf")} {...extra} />
    </>,
    status,
    "/admin/aliases",
  );
}

export const contactPages = new Hono<WebEnv>()
  .get("/aliases/:address/contacts", (c) => contactsPage(c, {}))
  .post("/aliases/:address/contacts", async (c) => {
    const alias = c.req.param("address");
    const form = await formOf(c);
    const reply = await apiSend(c, "POST", `/aliases/${enc(alias)}/contacts`, { address: form.address?.trim() ?? "" });
    if (reply.status === 201) return c.redirect(`/admin/aliases/${enc(alias)}/contacts?done=added`, 303);
    return contactsPage(c, { errors: fieldErrors(reply), problem: problemText(reply) }, reply.status);
  })
  .post("/aliases/:address/contacts/:id", async (c) => {
    const alias = c.req.param("address");
    const blocked = (await formOf(c)).blocked === "yes";
    const path = `/aliases/${enc(alias)}/contacts/${enc(c.req.param("id"))}`;
    const reply = await apiSend(c, "PATCH", path, { blocked });
    if (reply.status === 200) {
      return c.redirect(`/admin/aliases/${enc(alias)}/contacts?done=${blocked ? "blocked" : "unblocked"}`, 303);
    }
    return contactsPage(c, { problem: problemText(reply) }, reply.status);
  })
  // Under /admin/logs, beside the inbound log (and "/admin/me…" is the members' area).
  .post("/logs/:id/block-sender", async (c) => {
    const reply = await apiSend(c, "POST", `/messages/${enc(c.req.param("id"))}/block-sender`);
    if (reply.status !== 200)
      return render(c, "Block sender", <Notice kind="error">{problemText(reply)}</Notice>, reply.status);
    return c.redirect(`/admin/aliases/${enc(reply.body.alias)}/contacts?done=blocked`, 303);
  });

/** "Block this sender" for one inbound log row (the inbound log page shows it under each message). */
export function BlockSenderButton(props: { id: string; csrf: string }) {
  return (
    <form method="post" action={`/admin/logs/${enc(props.id)}/block-sender`}>
      <CsrfField csrf={props.csrf} />
      <button type="submit">Block this sender</button>
    </form>
  );
}
