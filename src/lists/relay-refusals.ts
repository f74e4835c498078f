/**
 * Bounces that never come back as mail: the relay refused a member's copy outright (a 5xx during
 * the SMTP transaction). The delivery consumer records the row as bounced and, because the
 * envelope sender is the list's VERP address, sends no DSN (bounce/may-bounce.ts,
 * "list-bounce-address"): the list scores it here instead, from scheduled(), exactly like a DSN
 * that came back to team-bounces+…@d. Each row is marked `scored:list` so it counts once.
 */
import { statusFromReply } from "../bounce/dsn";
import { log } from "../core/log";
import type { Sweep } from "../scheduled";
import { markDsn } from "../store/deliveries";
import { classifyReport } from "./bounce-classify";
import { applyBounce } from "./bounces";
import { findListByAddress } from "./store/lists";
import { findMemberByVerpKey } from "./store/members";
import { decodeVerp } from "./verp";

/** Rows per sweep: each costs a few D1 statements; the next sweep takes the rest. */
export const REFUSALS_PER_SWEEP = 200;
const UNSCORED = "suppressed:list-bounce-address";
const VERP_SENDER = /^(.+)-bounces\+([^@]+)@(.+)$/;

export async function scoreRelayRefusals(env: Env, now: number): Promise<{ scored: number }> {
  const { results } = await env.DB.prepare(
    `SELECT id, message_log_id, mail_from, rcpt, last_reply FROM deliveries
      WHERE status = 'bounced' AND origin = 'list' AND dsn = ?1 ORDER BY id LIMIT ?2`,
  )
    .bind(UNSCORED, REFUSALS_PER_SWEEP)
    .all<{ id: string; message_log_id: string; mail_from: string; rcpt: string; last_reply: string | null }>();
  let scored = 0;
  for (const row of results) {
    const match = VERP_SENDER.exec(row.mail_from);
    const list = match ? await findListByAddress(env.DB, `${match[1]}@${match[3]}`) : null;
    const key = list && match ? decodeVerp(env.LIST_SECRET, list.address, match[2]!) : null;
    const member = list && key ? await findMemberByVerpKey(env.DB, list.address, key) : null;
    if (list && member) {
      const reply = row.last_reply ?? "";
      const kind = classifyReport({ action: "failed", status: statusFromReply(reply, "5"), diagnosticCode: reply });
      const outcome = await applyBounce(env, list, member, kind, row.message_log_id, now);
      if (outcome.counted) scored++;
    } else {
      log({
        stage: "bounce",
        unit: "relay-refusal",
        outcome: "no-member",
        messageId: row.message_log_id,
        rcpt: row.rcpt,
      });
    }
    await markDsn(env.DB, [row.id], "scored:list", now);
  }
  return { scored };
}

/** The scheduled() sweep for src/index.ts SWEEPS (before expire-finished-deliveries). */
export const scoreListRelayRefusals: Sweep = {
  name: "score-list-relay-refusals",
  description: "score members' copies the relay refused outright as list bounces",
  run: async (env, now) => (await scoreRelayRefusals(env, now)).scored,
};
