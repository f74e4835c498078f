/**
 * Moderation: a held post is stored raw in R2 with its reason; moderators get a notice
 * through the relay whose Reply-To carries a token (replying approves; "reject" or "discard" as
 * the first line does that instead); the API acts on it too. Held posts expire, swept by
 * scheduled() through `sweepExpiredHeld`.
 */
import type { AuthResults } from "../authenticate";
import { randomToken } from "../core/ids";
import { log, logError } from "../core/log";
import { storeDeliveryBody } from "../deliver/enqueue";
import { CONFIRM_TOKEN_BYTES, listAddresses } from "../mail/minted-address";
import { deleteExpiredConfirmations } from "../store/confirmations";
import { deleteHeld, findExpiredHeld, findHeldById, type HeldMessage, heldKey, insertHeld } from "../store/held";
import { findListByAddress } from "../store/lists";
import { findModerators } from "../store/members";
import { type Distribution, distributePost } from "./distribute";
import { sendNotice } from "./notice";
import { scoreRelayRefusals } from "./relay-refusals";
import type { PostVerdict } from "./rules/types";
import type { List } from "./types";

/** A held post small enough is attached to the notice; bigger ones are only described. */
const MAX_ATTACHED_BYTES = 256 * 1024;
const DAY_MS = 86_400_000;

export interface HoldInput {
  id: string;
  list: List;
  raw: Uint8Array;
  mailFrom: string;
  author: string | null;
  subject: string | undefined;
  auth: AuthResults;
  verdict: PostVerdict;
  now: number;
}

export async function holdPost(env: Env, input: HoldInput): Promise<HeldMessage> {
  const { list } = input;
  const held: HeldMessage = {
    id: input.id,
    listAddress: list.address,
    r2Key: heldKey(input.id),
    rule: input.verdict.rule,
    reason: input.verdict.reason,
    author: input.author,
    mailFrom: input.mailFrom,
    subject: input.subject ?? null,
    size: input.raw.byteLength,
    authenticated: input.auth.authenticated,
    auth: {
      header: input.auth.header,
      arc: input.auth.arc,
      dmarc: input.auth.dmarc,
      authenticated: input.auth.authenticated,
    },
    token: randomToken(CONFIRM_TOKEN_BYTES),
    createdAt: input.now,
    expiresAt: input.now + list.holdDays * DAY_MS,
  };
  // Raw first, row second: a row never points at a missing object. A retried email() overwrites
  // the object and finds the row already there (ON CONFLICT DO NOTHING).
  await storeDeliveryBody(env, held.r2Key, input.raw, { list: list.address, rule: held.rule });
  await insertHeld(env.DB, held).run();
  const stored = (await findHeldById(env.DB, held.id)) ?? held;
  await notifyModerators(env, list, stored, input.raw, input.now);
  return stored;
}

async function notifyModerators(env: Env, list: List, held: HeldMessage, raw: Uint8Array, now: number) {
  const moderators = await findModerators(env.DB, list.address);
  if (moderators.length === 0) {
    log({ stage: "route", unit: "moderation", outcome: "no-moderator", messageId: held.id, list: list.address });
    return;
  }
  const confirm = listAddresses(list).confirm(held.token);
  const text = [
    `A post to ${list.address} is held for approval.`,
    "",
    `From:    ${held.author ?? "(unknown)"}`,
    `Subject: ${held.subject ?? "(none)"}`,
    `Reason:  ${held.reason} (rule ${held.rule})`,
    `Authenticated: ${held.authenticated ? "yes" : "no"}`,
    "",
    "Reply to this message to APPROVE the post.",
    'To reject it instead, reply with "reject" as the first line; to drop it silently, "discard".',
    `Or use the API: POST /api/v1/held/${held.id}/approve | reject | discard`,
    "",
    `It expires on ${new Date(held.expiresAt).toISOString()} if nobody acts.`,
  ].join("\n");
  for (const moderator of moderators) {
    await sendNotice(env, {
      list,
      notice: {
        to: moderator.address,
        subject: `${list.name}: post held for approval: ${held.subject ?? "(no subject)"}`.slice(0, 200),
        text,
        replyTo: confirm,
        attach: raw.byteLength <= MAX_ATTACHED_BYTES ? raw : undefined,
      },
      messageLogId: held.id,
      key: `held-${moderator.lookup}`,
      now,
    });
  }
}

export type ModerationAction = "approve" | "reject" | "discard";

export type ModerationResult =
  | { ok: true; action: ModerationAction; held: HeldMessage; distribution?: Distribution; notified?: boolean }
  | { ok: false; problem: "not-found" | "list-missing" | "body-missing" };

/**
 * Acts on a held post. The row is claimed first (deleted): of two moderators acting at once,
 * exactly one wins. If distribution then fails, the row is put back and the error rethrown.
 */
export async function moderateHeld(
  env: Env,
  id: string,
  action: ModerationAction,
  now: number,
  comment?: string,
): Promise<ModerationResult> {
  const held = await findHeldById(env.DB, id);
  if (!held) return { ok: false, problem: "not-found" };
  const list = await findListByAddress(env.DB, held.listAddress);
  if (!list) return { ok: false, problem: "list-missing" };
  const object = action === "approve" ? await env.MAIL.get(held.r2Key) : null;
  if (action === "approve" && !object) return { ok: false, problem: "body-missing" };
  if (!(await deleteHeld(env.DB, id))) return { ok: false, problem: "not-found" };
  try {
    if (action === "approve") {
      const raw = new Uint8Array(await object!.arrayBuffer());
      const distribution = await distributePost(env, {
        messageLogId: held.id,
        list,
        raw,
        auth: held.auth,
        author: { address: held.author ?? held.mailFrom, display: undefined },
        now,
      });
      await env.MAIL.delete(held.r2Key);
      log({
        stage: "route",
        unit: "moderation",
        outcome: "approved",
        messageId: id,
        list: list.address,
        pages: distribution.pages,
      });
      return { ok: true, action, held, distribution };
    }
    let notified = false;
    // Rejection notices go only to authors who authenticated: anything else may be a forged
    // From, and the notice would be backscatter to an innocent address.
    if (action === "reject" && held.authenticated && held.author) {
      await sendNotice(env, {
        list,
        notice: {
          to: held.author,
          subject: `Your post to ${list.address} was rejected: ${held.subject ?? "(no subject)"}`.slice(0, 200),
          text: `Your post to ${list.address} was not accepted by the list's moderators.${comment ? `\n\nComment: ${comment}` : ""}\n`,
          autoSubmitted: "auto-replied",
        },
        messageLogId: held.id,
        key: "rejected",
        now,
      });
      notified = true;
    }
    await env.MAIL.delete(held.r2Key);
    log({
      stage: "route",
      unit: "moderation",
      outcome: action === "reject" ? "rejected" : "discarded",
      messageId: id,
      notified,
    });
    return { ok: true, action, held, notified };
  } catch (error) {
    await insertHeld(env.DB, held).run();
    throw error;
  }
}

/** Held posts kept longer than this many per sweep would make one scheduled() too long. */
export const SWEEP_BATCH = 200;

/**
 * scheduled(): drops held posts past their expiry (and expired confirmation tokens). Expired posts
 * are discarded, not approved: nobody decided to send them.
 */
export async function sweepExpiredHeld(env: Env, now: number): Promise<{ expired: number }> {
  let expired = 0;
  for (;;) {
    const before = expired;
    const batch = await findExpiredHeld(env.DB, now, SWEEP_BATCH);
    for (const held of batch) {
      try {
        await env.MAIL.delete(held.r2Key);
        if (await deleteHeld(env.DB, held.id)) expired++;
        log({
          stage: "scheduled",
          unit: "held-expiry",
          outcome: "expired",
          messageId: held.id,
          list: held.listAddress,
        });
      } catch (error) {
        logError({ stage: "scheduled", unit: "held-expiry", outcome: "error", messageId: held.id, error });
      }
    }
    // A full batch that removed nothing would be read again forever: stop, the next run retries.
    if (batch.length < SWEEP_BATCH || expired === before) break;
  }
  await deleteExpiredConfirmations(env.DB, now).run();
  return { expired };
}

/**
 * Everything the lists need from scheduled(): expired held posts and confirmation tokens, and
 * relay refusals of members' copies scored as bounces (relay-refusals.ts).
 */
export async function sweepLists(env: Env, now: number): Promise<{ expired: number; scored: number }> {
  const { expired } = await sweepExpiredHeld(env, now);
  const { scored } = await scoreRelayRefusals(env, now);
  return { expired, scored };
}
