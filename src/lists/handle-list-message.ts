/**
 * What email() calls for a list address (routing recognised it: route/rules/list-address.ts). Reads top
 * to bottom: find the list, then per address kind: post (posting chain → distribute / hold /
 * reject / discard), -request (commands), -owner (to the owners), -bounces (scoring), -confirm
 * (double opt-in and reply-to-notice moderation).
 *
 * It returns the decision for the inbound log, with the rule that made it; email() logs it and
 * turns a reject into setReject(). Transient failures (D1, R2, queues) throw: the sender retries.
 */
import PostalMime from "postal-mime";
import type { AuthResults } from "../authenticate";
import { log } from "../core/log";
import type { LoggedDecision } from "../core/logged-decision";
import { LOOP_HEADER } from "../core/trace-headers";
import { enqueueDelivery, storeDeliveryBody } from "../deliver/enqueue";
import { relayForDomain } from "../deliver/relays";
import { isAutoSubmitted } from "../mail/auto-submitted";
import { concatBytes } from "../mail/bytes";
import { headerValue } from "../mail/header-fields";
import { listAddresses } from "../mail/minted-address";
import type { ReceivedMessage } from "../receive";
import { type Decision, type ListHandoff, reject } from "../route/decision";
import { takeConfirmation } from "../store/confirmations";
import { findHeldByToken } from "../store/held";
import { findListByAddress } from "../store/lists";
import { findMember, findModerators, updateMember, upsertMember } from "../store/members";
import { handleBounce } from "./bounces";
import { handleCommand } from "./commands";
import { distributePost } from "./distribute";
import { HELD_STORAGE_FULL, mayHold } from "./held-storage";
import { holdPost, type ModerationAction, moderateHeld } from "./moderation";
import { sendNotice } from "./notice";
import { POSTING_CHAIN, runPostingChain } from "./posting-chain";
import { takeReplyAllowance } from "./reply-limit";
import { type List, listIdOf } from "./types";

export interface ListMessageInput {
  id: string;
  mail: ReceivedMessage;
  auth: AuthResults;
  handoff: ListHandoff;
  now: number;
}

export interface ListMessageOutcome {
  decision: Decision;
  /** What the inbound log records: list | held | discarded | rejected. */
  logged: LoggedDecision;
  destinations: string[];
}

/** The list took the message: the handoff stands, with the rule that acted and what it did. */
function accepted(
  input: ListMessageInput,
  rule: string,
  reason: string,
  destinations: string[] = [],
): ListMessageOutcome {
  return { decision: { kind: "handoff", rule, reason, handoff: input.handoff }, logged: "list", destinations };
}

function discarded(rule: string, reason: string): ListMessageOutcome {
  return { decision: { kind: "discard", rule, reason }, logged: "discarded", destinations: [] };
}

function rejected(decision: Decision): ListMessageOutcome {
  return { decision, logged: "rejected", destinations: [] };
}

function authorOf(mail: ReceivedMessage): string | null {
  return mail.from.addresses[0]?.toLowerCase() ?? null;
}

/**
 * Mail no robot may answer (RFC 3834 section 2): automatic by its Auto-Submitted field, or sent
 * with the null reverse-path, which only reports (DSNs, RFC 3464) use.
 */
function isAutomatic(mail: ReceivedMessage): boolean {
  return mail.mailFrom === "" || isAutoSubmitted(headerValue(mail.headers, "auto-submitted"));
}

export async function handleListMessage(env: Env, input: ListMessageInput): Promise<ListMessageOutcome> {
  const list = await findListByAddress(env.DB, input.handoff.list);
  if (!list) return rejected(reject("list", 550, "5.1.1", `No list ${input.handoff.list}`));
  switch (input.handoff.kind) {
    case "list-post":
      return handlePost(env, list, input);
    case "list-request":
      return handleRequest(env, list, input);
    case "list-owner":
      return handleOwner(env, list, input);
    case "list-bounce":
      return handleBounceMessage(env, list, input);
    case "list-confirm":
      return handleConfirm(env, list, input);
  }
}

/** The relay's size limit for the list's domain; undefined when it has none or is misconfigured. */
async function relayLimitOf(env: Env, domain: string): Promise<number | undefined> {
  try {
    return (await relayForDomain(env, domain)).maxMessageBytes;
  } catch {
    return undefined;
  }
}

async function handlePost(env: Env, list: List, input: ListMessageInput): Promise<ListMessageOutcome> {
  const { mail, auth, id, now } = input;
  const author = authorOf(mail);
  const member = author ? await findMember(env.DB, list.address, author) : null;
  const relayMaxBytes = await relayLimitOf(env, list.domain);
  const verdict = runPostingChain(POSTING_CHAIN, {
    list,
    addresses: listAddresses(list),
    listId: listIdOf(list),
    message: mail,
    auth,
    author,
    member,
    relayMaxBytes,
  });
  const rule = `list:${verdict.rule}`;
  switch (verdict.action) {
    case "accept": {
      const distribution = await distributePost(env, {
        messageLogId: id,
        list,
        raw: mail.raw,
        auth,
        author: { address: author ?? mail.mailFrom, display: mail.from.display },
        now,
      });
      const reason = `${verdict.reason}; dmarc ${distribution.mitigation.action} (${distribution.mitigation.reason}); ${distribution.pages} page(s)`;
      return accepted(input, rule, reason, [list.address]);
    }
    case "hold": {
      // Issue 10 item 17: a stranger cannot fill R2 with held posts (lists/held-storage.ts).
      const hold = { list: list.address, size: mail.raw.byteLength, member, authenticated: auth.authenticated };
      if (!(await mayHold(env.DB, hold))) {
        const full = HELD_STORAGE_FULL;
        return rejected(reject(`${rule}:held-storage-full`, full.code, full.enhanced, full.text));
      }
      const held = await holdPost(env, {
        id,
        list,
        raw: mail.raw,
        mailFrom: mail.mailFrom,
        author,
        subject: mail.subject,
        auth,
        verdict,
        now,
      });
      return {
        decision: { kind: "hold", rule, reason: `${verdict.reason} (held ${held.id})` },
        logged: "held",
        destinations: [],
      };
    }
    case "reject":
      // RFC 3463 5.7.1: "delivery not authorized, message refused"; the text says what to do.
      return rejected(reject(rule, 550, "5.7.1", verdict.reason));
    case "discard":
      return discarded(rule, verdict.reason);
  }
}

async function handleRequest(env: Env, list: List, input: ListMessageInput): Promise<ListMessageOutcome> {
  const requester = authorOf(input.mail);
  // RFC 3834 section 2: never answer automatic mail (it loops between two robots).
  if (!requester || isAutomatic(input.mail))
    return discarded("list:request", "automatic message to -request: not answered");
  // The answer goes to the From address, which anyone can forge: answer only when the From
  // domain authenticated (DMARC pass, or DKIM/SPF aligned with it), and only a few times a day.
  if (!input.auth.authenticated) return discarded("list:request", "requester not authenticated: not answered");
  if (!(await takeReplyAllowance(env.DB, requester, input.now))) {
    return discarded("list:request", `daily automatic-reply limit reached for ${requester}: not answered`);
  }
  const outcome = await handleCommand(env, { id: input.id, list, message: input.mail, requester, now: input.now });
  return accepted(input, "list:request", outcome.reason, [requester]);
}

async function handleOwner(env: Env, list: List, input: ListMessageInput): Promise<ListMessageOutcome> {
  const owners = await findModerators(env.DB, list.address, ["owner"]);
  if (owners.length === 0) return rejected(reject("list:owner", 550, "5.1.1", `${list.address} has no owner`));
  const r2Key = `owner/${input.id}.eml`;
  // The loop marker stops a copy that comes back (an owner forwarding to team-owner@) for good.
  const marker = new TextEncoder().encode(`${LOOP_HEADER}: ${listAddresses(list).owner}\r\n`);
  const raw = concatBytes([marker, input.mail.raw]);
  await storeDeliveryBody(env, r2Key, raw, { messageLogId: input.id, origin: "list" });
  await enqueueDelivery(env, {
    origin: "list",
    messageLogId: input.id,
    raw: "",
    r2Key,
    mailFrom: listAddresses(list).bounces,
    recipients: owners.map((o) => o.address),
    domain: list.domain,
    senderAuthenticated: input.auth.authenticated,
  });
  return accepted(
    input,
    "list:owner",
    `to ${owners.length} owner(s)`,
    owners.map((o) => o.address),
  );
}

async function handleBounceMessage(env: Env, list: List, input: ListMessageInput): Promise<ListMessageOutcome> {
  const outcome = await handleBounce(env, {
    id: input.id,
    list,
    raw: input.mail.raw,
    token: input.handoff.token,
    now: input.now,
  });
  if (!outcome.counted) return discarded("list:bounce", `${outcome.member ?? "unknown member"}: ${outcome.reason}`);
  const reason = `${outcome.member}: ${outcome.kind} bounce, score ${outcome.score}/${list.bounceThreshold}${outcome.disabled ? ", disabled" : ""}`;
  return accepted(input, "list:bounce", reason);
}

/** "reject" / "discard" on the first line (or Subject) of a reply to a moderation notice; else approve. */
async function moderationActionOf(mail: ReceivedMessage): Promise<ModerationAction> {
  const word = /^\s*(?:re:\s*)*(approve|reject|discard)\b/i;
  const subject = word.exec(mail.subject ?? "");
  if (subject) return subject[1]!.toLowerCase() as ModerationAction;
  const text = (await PostalMime.parse(mail.raw.subarray(0, 256 * 1024))).text ?? "";
  const first = text.split(/\r?\n/).find((line) => line.trim() !== "");
  const match = first ? word.exec(first) : null;
  return match ? (match[1]!.toLowerCase() as ModerationAction) : "approve";
}

async function handleConfirm(env: Env, list: List, input: ListMessageInput): Promise<ListMessageOutcome> {
  const token = input.handoff.token ?? "";
  const replier = authorOf(input.mail);
  if (isAutomatic(input.mail)) return discarded("list:confirm", "automatic message to a confirmation address");

  const held = await findHeldByToken(env.DB, token);
  if (held && held.listAddress === list.address) {
    // Only an active owner or moderator, proven by DMARC/aligned authentication, may act.
    const moderator = replier ? await findMember(env.DB, list.address, replier) : null;
    const mayModerate = moderator?.status === "active" && moderator.role !== "member";
    if (!mayModerate || !input.auth.authenticated) {
      return rejected(
        reject("list:confirm", 550, "5.7.1", "Only an authenticated moderator of the list may act on a held post"),
      );
    }
    const action = await moderationActionOf(input.mail);
    const result = await moderateHeld(env, held.id, action, input.now);
    if (!result.ok) return discarded("list:confirm", `held post ${held.id}: ${result.problem}`);
    return accepted(input, "list:moderate", `${replier} ${action}d held post ${held.id}`);
  }

  const confirmation = await takeConfirmation(env.DB, token, input.now);
  if (!confirmation || confirmation.listAddress !== list.address) {
    // RFC 3463 5.1.1-like: the token address does not exist (any more).
    return rejected(reject("list:confirm", 550, "5.1.1", "Unknown or expired confirmation token"));
  }
  if (confirmation.action === "subscribe") {
    await upsertMember(env.DB, list.address, { address: confirmation.address, status: "active" }, input.now).run();
    await sendNotice(env, {
      list,
      notice: {
        to: confirmation.address,
        subject: `Welcome to ${list.address}`,
        text: `You are now subscribed to ${list.address}.\n\nPosts go to ${list.address}; to leave, send "unsubscribe" to ${listAddresses(list).request}.`,
        autoSubmitted: "auto-replied",
      },
      messageLogId: input.id,
      key: "welcome",
      now: input.now,
    });
  } else {
    await updateMember(
      env.DB,
      list.address,
      confirmation.address,
      { status: "disabled", disabledReason: "unsubscribed" },
      input.now,
    );
  }
  log({
    stage: "route",
    unit: "list-confirm",
    outcome: confirmation.action,
    messageId: input.id,
    member: confirmation.address,
  });
  return accepted(input, "list:confirm", `${confirmation.action} of ${confirmation.address} confirmed`, [
    confirmation.address,
  ]);
}
