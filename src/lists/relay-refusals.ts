/**
 * Bounces that never come back as mail: the relay refused a member's copy outright (a 5xx during
 * the SMTP transaction). The delivery consumer records the row as bounced and, because the
 * envelope sender is the list's VERP address, sends no DSN (bounce/may-bounce.ts,
 * "list-bounce-address"): the list scores it here instead, from scheduled(), exactly like a DSN
 * that came back to team-bounces+…@d. Each row is marked `scored:list` so it counts once.
 *
 * Only a refusal of the recipient scores: RFC 3463 X.1.x (addressing: no such user) and X.2.x
 * (the mailbox: full, disabled). A refusal of the message itself (too big, 8BITMIME needed,
 * content, the relay's own policy or account) would come back for every member alike, and one
 * such post would otherwise disable the whole list: it is marked, logged, and not scored.
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

/** 5.1.x and 5.2.x: about this recipient, not about the message. */
export function isRecipientRefusal(status: string): boolean {
  return /^5\.[12]\.\d{1,3}$/.test(status);
}

export async function scoreRelayRefusals(env: Env, now: number): Promise<{ scored: number }> {
  const rows = await listBouncedListDeliveries(env.DB, UNSCORED, REFUSALS_PER_SWEEP);
  let scored = 0;
  for (const row of rows) {
    const verp = parseVerpAddress(row.mailFrom);
    const list = verp ? await findListByAddress(env.DB, verp.list) : null;
    const key = list && verp ? decodeVerp(env.LIST_SECRET, list.address, verp.token) : null;
    const member = list && key ? await findMemberByVerpKey(env.DB, list.address, key) : null;
    const reply = row.lastReply ?? "";
    const status = statusFromReply(reply, "5");
    if (!isRecipientRefusal(status)) {
      log({ stage: "bounce", unit: "relay-refusal", outcome: "message-refusal", messageId: row.messageLogId, status });
    } else if (list && member) {
      const kind = classifyReport({ action: "failed", status, diagnosticCode: reply });
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
