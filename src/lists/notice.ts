/**
 * Mail the list itself writes (moderation notices, confirmations, help, bounce notices): built
 * here, DKIM-signed with the list domain's key when there is one, and sent through the relay as a
 * single delivery (origin "notice"). The envelope sender is the list's -bounces address, so a
 * notice that bounces is processed by the list and never answered (RFC 3834 section 2).
 */
import { randomToken } from "../core/ids";
import { loadSigningKey, type SigningKey } from "../credentials/dkim-keys";
import { enqueueDelivery, storeDeliveryBody } from "../deliver/enqueue";
import { concatBytes, fromBinaryString } from "../mail/bytes";
import { encodeDisplayName } from "../mail/header-fields";
import { listAddresses } from "../mail/minted-address";
import { composeNotice } from "../mail/notice";
import { signDkim } from "../mailauth";
import { type List, listIdOf } from "./types";

export interface Notice {
  to: string;
  subject: string;
  text: string;
  replyTo?: string;
  /** RFC 3834 section 5: auto-replied for answers to a command, auto-generated otherwise. */
  autoSubmitted?: "auto-replied" | "auto-generated";
  inReplyTo?: string;
  /** message/rfc822 attachment (the held post, for moderators). */
  attach?: Uint8Array;
}

/** The notice as a binary string, CRLF line endings, unsigned. */
export function buildNotice(list: List, notice: Notice, now: number): string {
  return composeNotice({
    from: { name: `${list.name} list`, address: listAddresses(list).owner },
    to: notice.to,
    subject: notice.subject,
    text: notice.text,
    date: new Date(now),
    messageId: `<${randomToken(18)}@${list.domain}>`,
    replyTo: notice.replyTo,
    inReplyTo: notice.inReplyTo,
    autoSubmitted: notice.autoSubmitted ?? "auto-generated",
    fields: { "List-Id": `${encodeDisplayName(list.name)} <${listIdOf(list)}>` },
    attach: notice.attach ? { filename: "held-post.eml", message: notice.attach } : undefined,
  });
}

/** The R2 key of a notice: derived from the message and the notice's key, so a re-run finds it. */
export function noticeR2Key(messageLogId: string, key: string): string {
  return `notice/${messageLogId}/${key}.eml`;
}

export type LoadKey = (env: Env, domain: string) => Promise<SigningKey | null>;

/** Builds, signs, stores and queues one notice. `key` names the R2 object (unique per notice). */
export async function sendNotice(
  env: Env,
  input: { list: List; notice: Notice; messageLogId: string; key: string; now: number },
  deps: { loadKey?: LoadKey } = {},
): Promise<void> {
  const { list } = input;
  let raw = fromBinaryString(buildNotice(list, input.notice, input.now));
  const signingKey = await (deps.loadKey ?? loadSigningKey)(env, list.domain);
  if (signingKey) {
    const key = { domain: list.domain, selector: signingKey.selector, privateKeyPem: signingKey.privateKeyPem };
    const signed = await signDkim(raw, key, { signTime: new Date(input.now) });
    raw = concatBytes([new TextEncoder().encode(signed.signatures), raw]);
  }
  const r2Key = noticeR2Key(input.messageLogId, input.key);
  await storeDeliveryBody(env, r2Key, raw, {
    messageLogId: input.messageLogId,
    origin: "notice",
  });
  await enqueueDelivery(env, {
    origin: "notice",
    messageLogId: input.messageLogId,
    raw: "",
    r2Key,
    mailFrom: listAddresses(list).bounces,
    recipients: [input.notice.to],
    domain: list.domain,
    senderAuthenticated: true,
    autoSubmitted: true,
  });
}
