/**
 * Failed and deferred deliveries on a page of their own: a deferred one can be retried now, a
 * failed one re-sent. Both act through the API (POST /deliveries/{id}/retry, /resend), so the
 * scope rules and the state checks are the API's. Several can be selected and retried (or re-sent) at
 * once: one API call per selected delivery, each result reported.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { apiGet, apiSend, enc, formAll } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, Notice, Pager, when } from "../layout";
import { problemText, render } from "../respond";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/deliveries/routes.ts Delivery)
type Json = any;

const ACTIONS = {
  retry: { label: "Retry now", done: "queued for an attempt now", bulk: "Retry selected now" },
  resend: { label: "Re-send", done: "queued to be sent again", bulk: "Re-send selected" },
} as const;

/** Selected deliveries acted on per bulk request: the API is called once for each. */
export const MAX_BULK = 100;

export function ProblemTable(props: { page: Json; action: keyof typeof ACTIONS; csrf: string; id: string }) {
  const items: Json[] = props.page.items ?? [];
  if (items.length === 0) return <Empty>None.</Empty>;
  // The checkboxes belong to the bulk form below the table (form attribute): forms cannot nest.
  const bulk = `${props.id}-bulk`;
  return (
    <>
      <table id={props.id}>
        <thead>
          <tr>
            <th scope="col">Select</th>
            <th scope="col">Created</th>
            <th scope="col">Recipient</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last SMTP reply</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr data-id={d.id}>
              <td>
                <input type="checkbox" name="id" value={d.id} form={bulk} aria-label={`Select ${d.rcpt}`} />
              </td>
              <td>
                <a href={`/admin/logs/${enc(d.message)}`}>{when(d.created_at)}</a>
              </td>
              <td>{d.rcpt}</td>
              <td class={d.status === "failed" ? "bad" : undefined}>{d.status}</td>
              <td>{d.attempts}</td>
              <td class="mono">{d.last_reply ?? "—"}</td>
              <td>{when(d.next_attempt_at)}</td>
              <td>
                <form method="post" action={`/admin/deliveries/${enc(d.id)}/${props.action}`}>
                  <CsrfField csrf={props.csrf} />
                  <button type="submit" aria-label={`${ACTIONS[props.action].label}: ${d.rcpt}`}>
                    {ACTIONS[props.action].label}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form id={bulk} method="post" action={`/admin/deliveries/bulk/${props.action}`}>
        <CsrfField csrf={props.csrf} />
        <button type="submit">{ACTIONS[props.action].bulk}</button>
      </form>
      <Pager next={props.page.next_cursor} base="/admin/deliveries" query={{ status: items[0]?.status }} />
    </>
  );
}

export function ProblemsPage(props: {
  deferred: Json;
  relayErrors: Json;
  failed: Json;
  csrf: string;
  notice?: string;
  error?: string;
}) {
  return (
    <>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      <h2>Deferred: will be retried</h2>
      <ProblemTable page={props.deferred} action="retry" csrf={props.csrf} id="deferred" />
      <h2>Relay errors: our relay refused (its account or configuration); will be retried</h2>
      <ProblemTable page={props.relayErrors} action="retry" csrf={props.csrf} id="relay-errors" />
      <h2>Failed: given up</h2>
      <ProblemTable page={props.failed} action="resend" csrf={props.csrf} id="failed" />
    </>
  );
}

async function problemsPage(c: Context<WebEnv>, notice?: string, error?: string, errorStatus: 400 | 409 = 409) {
  const [deferred, relayErrors, failed] = await Promise.all([
    apiGet(c, "/deliveries?status=deferred&limit=100"),
    apiGet(c, "/deliveries?status=relay-error&limit=100"),
    apiGet(c, "/deliveries?status=failed&limit=100"),
  ]);
  return render(
    c,
    "Failed and deferred deliveries",
    <ProblemsPage
      deferred={deferred}
      relayErrors={relayErrors}
      failed={failed}
      csrf={c.get("csrf")}
      notice={notice}
      error={error}
    />,
    error ? errorStatus : 200,
    "/admin/deliveries",
  );
}

export const deliveryProblemPages = new Hono<WebEnv>()
  .get("/deliveries/problems", (c) => problemsPage(c))
  // Registered before /deliveries/:id/:action, which would otherwise take "bulk" for an id.
  .post("/deliveries/bulk/:action{retry|resend}", async (c) => {
    const action = c.req.param("action") as keyof typeof ACTIONS;
    const ids = [...new Set(await formAll(c, "id"))];
    if (ids.length === 0) return problemsPage(c, undefined, "id: select at least one delivery.", 400);
    if (ids.length > MAX_BULK)
      return problemsPage(c, undefined, `id: select at most ${MAX_BULK} deliveries at once.`, 400);
    const done: string[] = [];
    const refused: string[] = [];
    for (const id of ids) {
      const reply = await apiSend(c, "POST", `/deliveries/${enc(id)}/${action}`);
      if (reply.status === 202) done.push(reply.body.rcpt);
      else refused.push(`${id}: ${problemText(reply)}`);
    }
    const notice = done.length ? `${done.length} ${ACTIONS[action].done}: ${done.join(", ")}.` : undefined;
    return problemsPage(c, notice, refused.length ? refused.join(" ") : undefined);
  })
  .post("/deliveries/:id/:action{retry|resend}", async (c) => {
    const action = c.req.param("action") as keyof typeof ACTIONS;
    const reply = await apiSend(c, "POST", `/deliveries/${enc(c.req.param("id"))}/${action}`);
    if (reply.status === 202) return problemsPage(c, `Delivery to ${reply.body.rcpt} ${ACTIONS[action].done}.`);
    if (reply.status === 404 || reply.status === 403) {
      return render(c, "Delivery", <Notice kind="error">{problemText(reply)}</Notice>, reply.status);
    }
    return problemsPage(c, undefined, problemText(reply));
  });
