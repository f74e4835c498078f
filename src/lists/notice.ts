/**
 * Mail the list itself writes (moderation notices, confirmations, help, bounce notices): built
 * here, DKIM-signed with the list domain's key when there is one, and sent through the relay as a
 * single delivery (origin "notice"). The envelope sender is the list's -bounces address, so a
 * notice that bounces is processed by the list and never answered (RFC 3834 section 2).
 */
import "../authenticate/node-compat";
import { dkimSign } from "mailauth/lib/dkim/sign";
import { rfc5322Date } from "../bounce/dsn";
import { randomToken } from "../core/ids";
import { loadSigningKey, type SigningKey } from "../credentials/dkim-keys";
import { enqueueDelivery, storeDeliveryBody } from "../deliver/enqueue";
import { encodeDisplayName } from "../transform/message";
import { type List, listAddresses, listIdOf } from "./types";

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

function encodeSubject(subject: string): string {
  if (/^[\x20-\x7e]*$/.test(subject)) return subject;
  return `=?UTF-8?B?${Buffer.from(subject, "utf8").toString("base64")}?=`;
}

export function buildNotice(list: List, notice: Notice, now: number): string {
  const addresses = listAddresses(list);
  const fields = [
    `From: ${encodeDisplayName(`${list.name} list`)} <${addresses.owner}>`,
    `To: <${notice.to}>`,
    `Subject: ${encodeSubject(notice.subject)}`,
    `Date: ${rfc5322Date(new Date(now))}`,
    `Message-ID: <${randomToken(18)}@${list.domain}>`,
    ...(notice.replyTo ? [`Reply-To: <${notice.replyTo}>`] : []),
    ...(notice.inReplyTo ? [`In-Reply-To: ${notice.inReplyTo}`] : []),
    `Auto-Submitted: ${notice.autoSubmitted ?? "auto-generated"}`,
    `List-Id: ${encodeDisplayName(list.name)} <${listIdOf(list)}>`,
    "MIME-Version: 1.0",
  ];
  const text = notice.text.replace(/\r?\n/g, "\r\n");
  if (!notice.attach) {
    return `${[...fields, "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"].join("\r\n")}\r\n\r\n${text}\r\n`;
  }
  const boundary = `facteur-${randomToken(12)}`;
  const attached = Buffer.from(notice.attach).toString("binary");
  return (
    `${[...fields, `Content-Type: multipart/mixed; boundary="${boundary}"`, "Content-Transfer-Encoding: 8bit"].join("\r\n")}\r\n\r\n` +
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}\r\n` +
    `--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n${attached}\r\n--${boundary}--\r\n`
  );
}

/** Builds, signs, stores and queues one notice. `key` names the R2 object (unique per notice). */
export async function sendNotice(
  env: Env,
  input: { list: List; notice: Notice; messageLogId: string; key: string; now: number },
  deps: { loadKey?: (env: Env, domain: string) => Promise<SigningKey | null> } = {},
): Promise<void> {
  const { list } = input;
  let raw = buildNotice(list, input.notice, input.now);
  const signingKey = await (deps.loadKey ?? loadSigningKey)(env, list.domain);
  if (signingKey) {
    const signed = await dkimSign(Buffer.from(raw, "binary"), {
      signatureData: [
        { signingDomain: list.domain, selector: signingKey.selector, privateKey: signingKey.privateKeyPem },
      ],
      signTime: new Date(input.now),
    } as unknown as Parameters<typeof dkimSign>[1]);
    raw = signed.signatures + raw;
  }
  const bytes = Buffer.from(raw, "binary");
  const r2Key = `notice/${input.messageLogId}/${input.key}.eml`;
  await storeDeliveryBody(env, r2Key, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
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
