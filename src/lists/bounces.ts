/**
 * Bounces to team-bounces+<verp>@d: find the member (by a valid VERP token, or, for a bounce to
 * the plain team-bounces@d or with a forged tag, by returned headers that are our own copy to the
 * member: bounce-returned-copy.ts), classify the report, and score: hard +1, soft +0.5, at most one counted
 * bounce a day; after a quiet period the score starts over; at the threshold the member is
 * disabled and told so. Bounces are never re-sent to the list; undecodable ones are logged.
 */
import { type ParsedDsn, parseDsn } from "../bounce/dsn-parse";
import { log } from "../core/log";
import { decodeVerp, listAddresses } from "../mail/minted-address";
import { findMember, findMemberByVerpKey, findModerators, recordMemberBounce } from "../store/members";
import { BOUNCE_WEIGHT, type BounceKind, classifyReport } from "./bounce-classify";
import { memberOfReturnedCopy } from "./bounce-returned-copy";
import { sendNotice } from "./notice";
import type { List, Member } from "./types";

const DAY_MS = 86_400_000;

export type BounceOutcome =
  | { counted: true; member: string; kind: BounceKind; score: number; disabled: boolean }
  | { counted: false; member: string | null; kind: BounceKind | null; reason: string };

/** The scoring rule alone (no I/O): the new score, or why nothing is counted. */
export function scoreBounce(
  member: Pick<Member, "bounceScore" | "lastBounceAt" | "status">,
  kind: BounceKind,
  list: Pick<List, "bounceThreshold" | "bounceQuietDays">,
  now: number,
): { count: false; reason: string } | { count: true; score: number; disable: boolean } {
  if (member.status !== "active") return { count: false, reason: `member is ${member.status}` };
  const weight = BOUNCE_WEIGHT[kind];
  if (weight === 0)
    return { count: false, reason: kind === "spam" ? "spam rejection: not the mailbox's fault" : "not a failure" };
  const last = member.lastBounceAt;
  if (last !== null && now - last < DAY_MS)
    return { count: false, reason: "a bounce was already counted in the last day" };
  const quiet = last !== null && now - last >= list.bounceQuietDays * DAY_MS;
  const score = (quiet ? 0 : member.bounceScore) + weight;
  return { count: true, score, disable: score >= list.bounceThreshold };
}

export async function handleBounce(
  env: Env,
  input: { id: string; list: List; raw: Uint8Array; token: string | undefined; now: number },
): Promise<BounceOutcome> {
  const { list, now } = input;
  const verpKey = input.token ? decodeVerp(env.LIST_SECRET, list.address, input.token) : null;
  const verpMember = verpKey ? ((await findMemberByVerpKey(env.DB, list.address, verpKey))?.address ?? null) : null;
  let dsn: ParsedDsn | null = null;
  try {
    dsn = await parseDsn(input.raw);
  } catch {
    dsn = null;
  }
  const failed = dsn?.recipients ?? [];
  // The VERP envelope names the member: it carries an HMAC tag nobody else can mint. A report's
  // Final-Recipient is the sender's word and anyone can send one to team-bounces@d, so it only
  // says how a member's copy failed, never whom to score.
  // Second path: no valid VERP tag, but the returned headers are our own copy to a member.
  const address = verpMember ?? (await memberOfReturnedCopy(env, list, dsn));
  let kind: BounceKind | null = null;
  if (address) {
    const report = failed.find((r) => r.finalRecipient.toLowerCase() === address.toLowerCase()) ?? failed[0];
    kind = report ? classifyReport(report) : "soft";
  }
  if (!address || !kind) {
    log({
      stage: "bounce",
      unit: "list-bounce",
      outcome: "undecodable",
      messageId: input.id,
      list: list.address,
      dsn: Boolean(dsn),
    });
    return {
      counted: false,
      member: null,
      kind: null,
      reason: dsn
        ? "no valid VERP address and no returned copy of ours: the report alone names no member"
        : "undecodable bounce",
    };
  }
  const member = await findMember(env.DB, list.address, address);
  if (!member) return { counted: false, member: address, kind, reason: "no longer a member" };
  return applyBounce(env, list, member, kind, input.id, now);
}

/** Scores one classified bounce for a member; disables and notifies at the threshold. */
export async function applyBounce(
  env: Env,
  list: List,
  member: Member,
  kind: BounceKind,
  messageId: string,
  now: number,
): Promise<BounceOutcome> {
  const address = member.address;
  const verdict = scoreBounce(member, kind, list, now);
  if (!verdict.count) {
    log({
      stage: "bounce",
      unit: "list-bounce",
      outcome: "not-counted",
      messageId,
      member: address,
      kind,
      reason: verdict.reason,
    });
    return { counted: false, member: address, kind, reason: verdict.reason };
  }
  await recordMemberBounce(env.DB, list.address, member.lookup, verdict.score, verdict.disable, now).run();
  log({
    stage: "bounce",
    unit: "list-bounce",
    outcome: verdict.disable ? "disabled" : "counted",
    messageId,
    member: address,
    kind,
    score: verdict.score,
  });
  if (verdict.disable) await notifyDisabled(env, list, member, verdict.score, messageId, now);
  return { counted: true, member: address, kind, score: verdict.score, disabled: verdict.disable };
}

async function notifyDisabled(env: Env, list: List, member: Member, score: number, id: string, now: number) {
  const text = [
    `Delivery of ${list.address} to ${member.address} has been suspended after repeated bounces`,
    `(score ${score}, threshold ${list.bounceThreshold}).`,
    "",
    `To receive the list again, send "subscribe" to ${listAddresses(list).request},`,
    "or ask a list owner to re-enable you.",
  ].join("\n");
  // The member's mailbox is failing, but a soft problem may have cleared: try to tell them, and
  // tell the owners in any case.
  await sendNotice(env, {
    list,
    notice: { to: member.address, subject: `Your subscription to ${list.address} is suspended`, text },
    messageLogId: id,
    key: `disabled-member-${member.lookup}`,
    now,
  });
  for (const owner of await findModerators(env.DB, list.address, ["owner"])) {
    await sendNotice(env, {
      list,
      notice: { to: owner.address, subject: `${list.address}: ${member.address} disabled by bounces`, text },
      messageLogId: id,
      key: `disabled-owner-${owner.lookup}`,
      now,
    });
  }
}
