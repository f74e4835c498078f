/**
 * One inbound message: its envelope and headers, each authentication result with its comment
 * (RFC 8601), the rule that decided and why, the SMTP reply, and every delivery it led to with
 * its attempts: each attempt's outcome, SMTP reply and relay (the API's `attempts`, from the
 * delivery_attempts history).
 */
import { Hono } from "hono";
import { apiGet, enc } from "../call";
import type { WebEnv } from "../env";
import { Empty, when } from "../layout";
import { render } from "../respond";
import { DeliveryTable } from "./logs";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/messages/routes.ts LoggedMessage)
type Json = any;

const CHECKS = ["dkim", "spf", "arc", "dmarc"] as const;

/** Every attempt, by recipient then attempt number; the recipient comes from the deliveries page. */
export function AttemptTable(props: { attempts: Json[]; deliveries: Json[] }) {
  if (props.attempts.length === 0) return <Empty>No delivery attempt yet.</Empty>;
  const rcpt = new Map<string, string>(props.deliveries.map((d: Json) => [d.id, d.rcpt]));
  return (
    <table id="attempts">
      <thead>
        <tr>
          <th scope="col">Recipient</th>
          <th scope="col">Attempt</th>
          <th scope="col">At</th>
          <th scope="col">Outcome</th>
          <th scope="col">SMTP reply</th>
          <th scope="col">Enhanced code</th>
          <th scope="col">Relay</th>
        </tr>
      </thead>
      <tbody>
        {props.attempts.map((a) => (
          <tr>
            <td>{rcpt.get(a.delivery) ?? a.delivery}</td>
            <td>{a.attempt}</td>
            <td>{when(a.at)}</td>
            <td class={a.status === "sent" ? "ok" : a.status === "bounced" ? "bad" : undefined}>{a.status}</td>
            <td class="mono">{a.reply ?? "—"}</td>
            <td class="mono">{a.enhanced_code ?? "—"}</td>
            <td>{a.relay ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MessageDetail(props: { message: Json; deliveries: Json }) {
  const m = props.message;
  return (
    <>
      <dl id="message-detail">
        <dt>Received</dt>
        <dd>{when(m.received_at)}</dd>
        <dt>Envelope</dt>
        <dd class="mono">
          {m.mail_from || "<>"} → {m.rcpt_to}
        </dd>
        <dt>From</dt>
        <dd>{m.from_header ?? "—"}</dd>
        <dt>Subject</dt>
        <dd>{m.subject ?? "(no subject)"}</dd>
        <dt>Message-ID</dt>
        <dd class="mono">{m.message_id ?? "—"}</dd>
        <dt>Size</dt>
        <dd>{m.size} bytes</dd>
        <dt>Decision</dt>
        <dd>{m.decision}</dd>
        <dt>Decided by</dt>
        <dd class="mono">{m.rule ?? "—"}</dd>
        <dt>Reason</dt>
        <dd>{m.reason ?? "—"}</dd>
        <dt>SMTP reply</dt>
        <dd class="mono">{m.smtp_reply ?? "—"}</dd>
        <dt>Destinations</dt>
        <dd>{(m.destinations ?? []).join(", ") || "—"}</dd>
      </dl>
      <h2>Authentication results</h2>
      {m.auth ? (
        <table id="auth-results">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Result</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {CHECKS.map((check) => (
              <tr>
                <th scope="row">{check.toUpperCase()}</th>
                <td class={m.auth[check]?.result === "pass" ? "ok" : undefined}>{m.auth[check]?.result ?? "none"}</td>
                <td class="mono">{m.auth[check]?.comment ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>Not authenticated (refused before the checks ran).</Empty>
      )}
      <h2>Deliveries</h2>
      <DeliveryTable page={props.deliveries} base="/admin/deliveries" filter={{ message: m.id }} />
      <h2>Attempts</h2>
      <AttemptTable attempts={m.attempts ?? []} deliveries={props.deliveries.items ?? []} />
      <p>
        <a href="/admin/deliveries/problems">Failed and deferred deliveries</a> can be retried or re-sent.
      </p>
    </>
  );
}

export const messageDetailPages = new Hono<WebEnv>().get("/logs/:id", async (c) => {
  const id = c.req.param("id");
  const [message, deliveries] = await Promise.all([
    apiGet(c, `/messages/${enc(id)}`),
    apiGet(c, `/deliveries?message=${enc(id)}&limit=200`),
  ]);
  return render(
    c,
    `Message ${message.subject ?? message.id}`,
    <MessageDetail message={message} deliveries={deliveries} />,
    200,
    "/admin/logs",
  );
});
