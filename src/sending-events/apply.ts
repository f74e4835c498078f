/**
 * Applies one Email Sending event (event.ts) to Facteur: the decision (decide.ts), then its
 * effects, then the row. The effects come first and are idempotent (a suppression that exists is
 * left alone; list bounce scoring counts at most one bounce a day), so an event retried after a
 * failure half-way repeats nothing visible; once the row holds the event, a duplicate is ignored.
 */
import { log } from "../core/log";
import { applyBounce } from "../lists/bounces";
import { decodeVerp, parseVerpAddress } from "../mail/minted-address";
import { findEventDelivery, recordDeliveryEvent } from "../store/delivery-events";
import { findListByAddress } from "../store/lists";
import { findMemberByVerpKey } from "../store/members";
import { insertSuppression } from "../store/suppressions";
import { decideEvent } from "./decide";
import type { SendingEvent } from "./event";

export type EventOutcome = "applied" | "stale" | "unknown-message";

export async function applySendingEvent(env: Env, event: SendingEvent, now: number): Promise<EventOutcome> {
  const row = await findEventDelivery(env.DB, event.messageId, event.recipient);
  if (!row) {
    // Not a copy Facteur sent (another Worker of the account, or its row is past retention).
    log({ stage: "queue", unit: "sending-events", outcome: "unknown-message", messageId: event.messageId });
    return "unknown-message";
  }
  if (row.providerEventAt !== null && row.providerEventAt >= event.at) return "stale";
  const effects = decideEvent(event, row.origin);
  if (effects.suppress) {
    await insertSuppression(env.DB, { address: row.rcpt, ...effects.suppress }, now);
  }
  if (effects.score) await scoreListMember(env, row.mailFrom, effects.score, row.messageLogId, now);
  const changed = await recordDeliveryEvent(
    env.DB,
    row.id,
    { status: effects.status, reply: effects.reply, providerStatus: event.kind, eventAt: event.at },
    now,
  );
  log({
    stage: "queue",
    unit: "sending-events",
    outcome: changed ? event.kind : "stale",
    messageId: row.messageLogId,
    rcpt: row.rcpt,
    eventId: event.eventId,
    suppressed: Boolean(effects.suppress),
  });
  return changed ? "applied" : "stale";
}

/**
 * The member is named by the copy's own VERP envelope sender (team-bounces+<verp>@d), exactly as
 * a DSN to that address would name them (lists/bounces.ts): only a token Facteur minted counts.
 */
async function scoreListMember(
  env: Env,
  mailFrom: string,
  kind: Parameters<typeof applyBounce>[3],
  messageLogId: string,
  now: number,
) {
  const verp = parseVerpAddress(mailFrom);
  const list = verp ? await findListByAddress(env.DB, verp.list) : null;
  const key = verp && list ? decodeVerp(env.LIST_SECRET, list.address, verp.token) : null;
  const member = list && key ? await findMemberByVerpKey(env.DB, list.address, key) : null;
  if (!list || !member) {
    log({ stage: "queue", unit: "sending-events", outcome: "no-member", messageId: messageLogId, mailFrom });
    return;
  }
  await applyBounce(env, list, member, kind, messageLogId, now);
}
