/**
 * The inbound log (filtered by recipient and decision; each row opens to its authentication
 * results, deciding rule, SMTP reply and destinations; text and time filters run in the API) and the
 * deliveries (filtered by message and status; attempts, relay, last SMTP reply). The failed and
 * deferred ones have a page of their own (delivery-problems.tsx), each message too (message-detail.tsx).
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

/** The log's filters, as the query string carries them (since/until: datetime-local, UTC). */
export interface LogFilter {
  rcpt: string;
  decision: string;
  q: string;
  since: string;
  until: string;
}

/** A datetime-local value (no zone) read as UTC, as the page labels it; "" when absent or invalid. */
export function isoFromLocal(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return "";
  return `${value.length === 16 ? `${value}:00` : value}Z`;
}

export function InboundLog(props: { page: Json; csrf?: string } & LogFilter) {
  const items: Json[] = props.page.items ?? [];
  return (
    <>
      <form method="get" action="/admin/logs" class="toolbar">
        <div>
          <label for="q">Text (subject, From, addresses)</label>
          <input type="search" id="q" name="q" value={props.q} />
        </div>
        <div>
          <label for="rcpt">Recipient</label>
          <input type="search" id="rcpt" name="rcpt" value={props.rcpt} />
        </div>
        <div>
          <label for="since">Since (UTC)</label>
          <input type="datetime-local" id="since" name="since" value={props.since} />
        </div>
        <div>
          <label for="until">Until (UTC)</label>
          <input type="datetime-local" id="until" name="until" value={props.until} />
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
                    <a href={`/admin/logs/${enc(m.id)}`}>Details and deliveries</a>
                    {props.csrf ? <BlockSenderButton id={m.id} csrf={props.csrf} /> : null}
                  </details>
                </td>
                <td>{m.decision}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        next={props.page.next_cursor}
        base="/admin/logs"
        query={{ rcpt: props.rcpt, decision: props.decision, q: props.q, since: props.since, until: props.until }}
      />
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
    const filter: LogFilter = {
      rcpt: c.req.query("rcpt") ?? "",
      decision: c.req.query("decision") ?? "",
      q: c.req.query("q") ?? "",
      since: c.req.query("since") ?? "",
      until: c.req.query("until") ?? "",
    };
    const page = await apiGet(
      c,
      `/messages${query({
        rcpt: filter.rcpt,
        decision: filter.decision,
        q: filter.q,
        since: isoFromLocal(filter.since),
        until: isoFromLocal(filter.until),
        cursor: c.req.query("cursor"),
      })}`,
    );
    return render(c, "Inbound log", <InboundLog page={page} {...filter} csrf={c.get("csrf")} />, 200, "/admin/logs");
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
  });
