/**
 * Bounces that never come back as mail: the relay refused a member's copy outright (a 5xx during
 * the SMTP transaction). The delivery consumer records the row as bounced and, because the
 * envelope sender is the list's VERP address, sends no DSN (bounce/may-bounce.ts,
 * "list-bounce-address"): the list scores it here instead, from scheduled(), exactly like a DSN
 * that came back to team-bounces+…@d. Each row is marked `scored:list` so it counts once.
 */
import { statusFromReply } from "../bounce/dsn";
import { log } from "../core/log";
import { decodeVerp, parseVerpAddress } from "../mail/minted-address";
import { markDsn } from "../store/deliveries";
import { listBouncedListDeliveries } from "../store/delivery-sweeps";
import { findListByAddress } from "../store/lists";
import { findMemberByVerpKey } from "../store/members";
import { classifyReport } from "./bounce-classify";
import { applyBounce } from "./bounces";

/** Rows per sweep: each costs a few D1 statements; the next sweep takes the rest. */
export const REFUSALS_PER_SWEEP = 200;
const UNSCORED = "suppressed:list-bounce-address";

export async function scoreRelayRefusals(env: Env, now: number): Promise<{ scored: number }> {
  const rows = await listBouncedListDeliveries(env.DB, UNSCORED, REFUSALS_PER_SWEEP);
  let scored = 0;
  for (const row of rows) {
    const verp = parseVerpAddress(row.mailFrom);
    const list = verp ? await findListByAddress(env.DB, verp.list) : null;
    const key = list && verp ? decodeVerp(env.LIST_SECRET, list.address, verp.token) : null;
    const member = list && key ? await findMemberByVerpKey(env.DB, list.address, key) : null;
    if (list && member) {
      const reply = row.lastReply ?? "";
      const kind = classifyReport({ action: "failed", status: statusFromReply(reply, "5"), diagnosticCode: reply });
      const outcome = await applyBounce(env, list, member, kind, row.messageLogId, now);
      if (outcome.counted) scored++;
    } else {
      log({
        stage: "bounce",
        unit: "relay-refusal",
        outcome: "no-member",
        messageId: row.messageLogId,
        rcpt: row.rcpt,
      });
    }
    await markDsn(env.DB, [row.id], "scored:list", now);
  }
  return { scored };
}
