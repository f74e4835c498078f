/** A user's own page: their mailboxes, their aliases, the lists they own or moderate, and a send-as form. */
import type { Context } from "hono";
import { Hono } from "hono";
import { findMembershipsOf, type Member } from "../../store/members";
import { findUserByName, type User } from "../../store/users";
import { apiSend, formOf } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, FieldError, Notice } from "../layout";
import { errorPage, fieldErrors, problemText, render } from "../respond";

/** What the send-as form last held, and the API's verdict on it. */
export interface SendForm {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  problem?: string;
  sent?: string;
}

/** Send as one of the user's aliases: POST /api/v1/send as this user (which checks ownership). */
export function SendAsForm(props: { user: User; csrf: string; form?: SendForm }) {
  const v = props.form?.values ?? {};
  const e = props.form?.errors ?? {};
  if (props.user.aliases.length === 0) return <Empty>You own no alias to send as.</Empty>;
  return (
    <form method="post" action="/admin/account/send" id="send-as">
      <CsrfField csrf={props.csrf} />
      {props.form?.sent ? <Notice kind="ok">{`Queued for delivery as ${props.form.sent}.`}</Notice> : null}
      {props.form?.problem ? <Notice kind="error">{props.form.problem}</Notice> : null}
      <label for="send-from">From</label>
      <select id="send-from" name="from" aria-describedby="from-error">
        {props.user.aliases.map((a) => (
          <option value={a} selected={a === v.from}>
            {a}
          </option>
        ))}
      </select>
      <FieldError id="from-error" message={e.from} />
      <label for="send-to">To</label>
      <p class="help" id="to-help">
        Addresses separated by commas or spaces.
      </p>
      <input type="text" id="send-to" name="to" value={v.to ?? ""} required aria-describedby="to-help to-error" />
      <FieldError id="to-error" message={e.to} />
      <label for="send-subject">Subject</label>
      <input
        type="text"
        id="send-subject"
        name="subject"
        value={v.subject ?? ""}
        required
        aria-describedby="subject-error"
      />
      <FieldError id="subject-error" message={e.subject} />
      <label for="send-text">Message</label>
      <textarea id="send-text" name="text" aria-describedby="text-error">
        {v.text ?? ""}
      </textarea>
      <FieldError id="text-error" message={e.text} />
      <p>
        <button type="submit">Send</button>
      </p>
    </form>
  );
}

export function AccountPage(props: { user: User; teams: Member[]; csrf: string; form?: SendForm }) {
  return (
    <>
      <h2>Mailboxes</h2>
      {props.user.mailboxes.length ? (
        <ul>
          {props.user.mailboxes.map((m) => (
            <li>{m}</li>
          ))}
        </ul>
      ) : (
        <Empty>No mailbox recorded.</Empty>
      )}
      <h2>Aliases</h2>
      {props.user.aliases.length ? (
        <ul>
          {props.user.aliases.map((a) => (
            <li>{a}</li>
          ))}
        </ul>
      ) : (
        <Empty>You own no alias.</Empty>
      )}
      <h2>Lists you own or moderate</h2>
      {props.teams.length ? (
        <ul>
          {props.teams.map((m) => (
            <li>
              {m.listAddress} ({m.role})
            </li>
          ))}
        </ul>
      ) : (
        <Empty>None.</Empty>
      )}
      <h2>Send as one of your aliases</h2>
      <SendAsForm user={props.user} csrf={props.csrf} form={props.form} />
      <p>
        Programs submit through <code>POST /api/v1/send</code> with your name and password (HTTP Basic); see{" "}
        <a href="/api/docs">the API documentation</a>.
      </p>
    </>
  );
}

async function accountPage(c: Context<WebEnv>, form?: SendForm, status = 200) {
  const name = c.get("principal")!.access!.userName!;
  const user = await findUserByName(c.env.DB, name);
  if (!user) return errorPage(c, 404, "Your user no longer exists.");
  const memberships = (await Promise.all(user.mailboxes.map((m) => findMembershipsOf(c.env.DB, m)))).flat();
  const teams = memberships.filter((m) => m.role === "owner" || m.role === "moderator");
  return render(
    c,
    `Account of ${user.name}`,
    <AccountPage user={user} teams={teams} csrf={c.get("csrf")} form={form} />,
    status,
    "/admin/account",
  );
}

export const account = new Hono<WebEnv>()
  .get("/account", (c) => accountPage(c))
  .post("/account/send", async (c) => {
    const values = await formOf(c);
    const to = (values.to ?? "").split(/[\s,;]+/).filter(Boolean);
    const reply = await apiSend(c, "POST", "/send", {
      from: values.from ?? "",
      to,
      subject: values.subject ?? "",
      text: values.text ?? "",
    });
    if (reply.status === 202) return accountPage(c, { sent: values.from });
    // Field errors name `to.0` for the first recipient: shown beside the To field.
    const errors: Record<string, string> = {};
    for (const [field, message] of Object.entries(fieldErrors(reply))) errors[field.split(".")[0]!] ??= message;
    return accountPage(c, { values, errors, problem: problemText(reply) }, reply.status);
  });
