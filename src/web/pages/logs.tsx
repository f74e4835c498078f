/**
 * The inbound log (filtered by recipient and decision; each row opens to its authentication
 * results, deciding rule, SMTP reply and destinations) and the deliveries (filtered by message and
 * status; attempts, relay, last SMTP reply), with the failed and deferred ones on a page of their own.
 */
import { Hono } from "hono";
import { DELIVERY_STATUSES } from "../../core/delivery-status";
import { LOGGED_DECISIONS } from "../../core/logged-decision";
import { apiGet, enc, query } from "../call";
import type { WebEnv } from "../env";
import { Empty, Pager, when } from "../layout";
import { render } from "../respond";
import { BlockSenderButton } from "./contacts";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/messages/routes.ts LoggedMessage)
type Json = any;

const CHECKS = ["dkim", "spf", "arc", "dmarc"] as const;

export function InboundLog(props: { page: Json; rcpt: string; decision: string; csrf?: string }) {
  const items: Json[] = props.page.items ?? [];
  return (
    <>
      <form method="get" action="/admin/logs" class="toolbar">
        <div>
          <label for="rcpt">Recipient</label>
          <input type="search" id="rcpt" name="rcpt" value={props.rcpt} />
        </div>
        <div>
          <label for="decision">Decision</label>
          <select id="decision" name="decision">
            <option value="">any</option>
            {LOGGED_DECISIONS.map((d) => (
              <option value={d} selected={d === props.decision}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filter</button>
      </form>
      {items.length === 0 ? (
        <Empty>No message matches.</Empty>
      ) : (
        <table id="inbound-log">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Subject and details</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {items.map((m) => (
              <tr data-id={m.id}>
                <td>{when(m.received_at)}</td>
                <td>{m.from_header ?? m.mail_from}</td>
                <td>{m.rcpt_to}</td>
                <td>
                  <details>
                    <summary>{m.subject ?? "(no subject)"}</summary>
                    <dl>
                      <dt>Envelope</dt>
                      <dd class="mono">
                        {m.mail_from} → {m.rcpt_to}
                      </dd>
                      <dt>Message-ID</dt>
                      <dd class="mono">{m.message_id ?? "—"}</dd>
                      <dt>Authentication</dt>
                      <dd>
                        {CHECKS.map((check) => (
                          <span class="mono">
                            {check}={m.auth?.[check]?.result ?? "none"}{" "}
                          </span>
                        ))}
                      </dd>
                      <dt>Decided by</dt>
                      <dd class="mono">{m.rule ?? "—"}</dd>
                      <dt>Reason</dt>
                      <dd>{m.reason ?? "—"}</dd>
                      <dt>SMTP reply</dt>
                      <dd class="mono">{m.smtp_reply ?? "—"}</dd>
                      <dt>Destinations</dt>
                      <dd>{(m.destinations ?? []).join(", ") || "—"}</dd>
                    </dl>
                    <a href={`/admin/deliveries?message=${enc(m.id)}`}>Deliveries of this message</a>
                    {props.csrf ? <BlockSenderButton id={m.id} csrf={props.csrf} /> : null}
                  </details>
                </td>
                <td>{m.decision}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={props.page.next_cursor} base="/admin/logs" query={{ rcpt: props.rcpt, decision: props.decision }} />
    </>
  );
}

export function DeliveryTable(props: { page: Json; base: string; filter: Record<string, string> }) {
  const items: Json[] = props.page.items ?? [];
  return (
    <>
      {items.length === 0 ? (
        <Empty>No delivery matches.</Empty>
      ) : (
        <table id="deliveries">
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Recipient</th>
              <th scope="col">Origin</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last SMTP reply</th>
              <th scope="col">Next attempt</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr>
                <td>{when(d.created_at)}</td>
                <td>{d.rcpt}</td>
                <td>{d.origin}</td>
                <td class={d.status === "failed" || d.status === "bounced" ? "bad" : undefined}>{d.status}</td>
                <td>
                  {d.attempts}
                  {d.relay ? ` via ${d.relay}` : ""}
                </td>
                <td class="mono">{d.last_reply ?? "—"}</td>
                <td>{when(d.next_attempt_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={props.page.next_cursor} base={props.base} query={props.filter} />
    </>
  );
}

function StatusFilter(props: { status: string; message: string }) {
  return (
    <form method="get" action="/admin/deliveries" class="toolbar">
      <div>
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="">any</option>
          {DELIVERY_STATUSES.map((s) => (
            <option value={s} selected={s === props.status}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <input type="hidden" name="message" value={props.message} />
      <button type="submit">Filter</button>
      <a href="/admin/deliveries/problems">Failed and deferred</a>
    </form>
  );
}

export const logPages = new Hono<WebEnv>()
  .get("/logs", async (c) => {
    const rcpt = c.req.query("rcpt") ?? "";
    const decision = c.req.query("decision") ?? "";
    const page = await apiGet(c, `/messages${query({ rcpt, decision, cursor: c.req.query("cursor") })}`);
    return render(
      c,
      "Inbound log",
      <InboundLog page={page} rcpt={rcpt} decision={decision} csrf={c.get("csrf")} />,
      200,
      "/admin/logs",
    );
  })
  .get("/deliveries", async (c) => {
    const filter = { status: c.req.query("status") ?? "", message: c.req.query("message") ?? "" };
    const page = await apiGet(c, `/deliveries${query({ ...filter, cursor: c.req.query("cursor") })}`);
    return render(
      c,
      "Deliveries",
      <>
        <StatusFilter {...filter} />
        <DeliveryTable page={page} base="/admin/deliveries" filter={filter} />
      </>,
      200,
      "/admin/deliveries",
    );
  })
  .get("/deliveries/problems", async (c) => {
    const [deferred, failed] = await Promise.all([
      apiGet(c, "/deliveries?status=deferred&limit=100"),
      apiGet(c, "/deliveries?status=failed&limit=100"),
    ]);
    return render(
      c,
      "Failed and deferred deliveries",
      <>
        <h2>Deferred: will be retried</h2>
        <DeliveryTable page={deferred} base="/admin/deliveries" filter={{ status: "deferred" }} />
        <h2>Failed: given up</h2>
        <DeliveryTable page={failed} base="/admin/deliveries" filter={{ status: "failed" }} />
      </>,
    );
  });
