/**
 * Sends an alias's auto-reply for one accepted message, when shouldAutoReply allows it and the
 * sender was not answered within the interval (kept in D1, claimed atomically).
 *
 * Through `message.reply()` when Cloudflare allows it: the original passed DMARC, it has a
 * Message-ID for In-Reply-To, and only one reply per message. Otherwise (or when reply() refuses)
 * through the relay, with the null envelope sender (RFC 3834 section 3.3: a bounce of the reply
 * must not come back to anyone). Either way the reply is DKIM-signed with the alias domain's key
 * when it has one, and a copy is kept in R2 (`autoreply/<message id>.eml`).
 */
import { EmailMessage } from "cloudflare:email";
import type { AuthResults } from "../authenticate";
import { log, logError } from "../core/log";
import { loadSigningKey } from "../credentials/dkim-keys";
import { enqueueDelivery, storeDeliveryBody } from "../deliver/enqueue";
import { domainOf, lookupKey } from "../mail/address";
import { concatBytes, fromBinaryString } from "../mail/bytes";
import { type HeaderField, headerValue } from "../mail/header-fields";
import { isSrsAddress } from "../mail/minted-address";
import { signDkim } from "../mailauth";
import { claimAutoReply, findAutoReply } from "../store/auto-replies";
import { findDomainByName } from "../store/domains";
import { composeAutoReply } from "./compose-auto-reply";
import { shouldAutoReply } from "./should-reply";

const DAY_MS = 86_400_000;

export interface AutoReplyInput {
  messageLogId: string;
  alias: string;
  mailFrom: string;
  headers: readonly HeaderField[];
  auth: AuthResults;
  now: number;
}

export type AutoReplyOutcome = "replied" | "relayed" | { skipped: string };

export async function sendAutoReply(
  env: Env,
  message: Pick<ForwardableEmailMessage, "reply">,
  input: AutoReplyInput,
): Promise<AutoReplyOutcome> {
  const settings = await findAutoReply(env.DB, lookupKey(input.alias));
  if (!settings?.enabled) return { skipped: "no auto-reply" };
  const senderDomain = input.mailFrom ? domainOf(input.mailFrom) : "";
  const senderIsOurs =
    isSrsAddress(input.mailFrom) || (senderDomain !== "" && (await findDomainByName(env.DB, senderDomain)) !== null);
  const verdict = shouldAutoReply(settings, {
    mailFrom: input.mailFrom,
    headers: input.headers,
    authenticated: input.auth.authenticated,
    senderIsOurs,
    now: input.now,
  });
  if (!verdict.reply) return { skipped: verdict.reason };
  const intervalMs = settings.intervalDays * DAY_MS;
  if (!(await claimAutoReply(env.DB, settings.alias, input.mailFrom, input.now, intervalMs))) {
    return { skipped: "answered within the interval" };
  }
  const messageId = headerValue(input.headers, "message-id");
  let raw = fromBinaryString(
    composeAutoReply(
      settings,
      {
        alias: input.alias,
        to: input.mailFrom,
        messageId,
        references: headerValue(input.headers, "references"),
        subject: headerValue(input.headers, "subject"),
      },
      input.now,
    ),
  );
  const domain = domainOf(input.alias);
  const key = await loadSigningKey(env, domain);
  if (key) {
    const signed = await signDkim(
      raw,
      { domain, selector: key.selector, privateKeyPem: key.privateKeyPem },
      { signTime: new Date(input.now) },
    );
    raw = concatBytes([new TextEncoder().encode(signed.signatures), raw]);
  }
  const r2Key = `autoreply/${input.messageLogId}.eml`;
  await storeDeliveryBody(env, r2Key, raw, { messageLogId: input.messageLogId, origin: "notice" });
  if (input.auth.dmarc.result === "pass" && messageId) {
    try {
      await message.reply(new EmailMessage(input.alias, input.mailFrom, new Blob([raw]).stream()));
      return "replied";
    } catch {
      // Cloudflare refused the reply (its rules changed, or the sender is not reachable that
      // way): the relay still can.
    }
  }
  await enqueueDelivery(env, {
    origin: "notice",
    messageLogId: input.messageLogId,
    raw: "",
    r2Key,
    mailFrom: "",
    recipients: [input.mailFrom],
    domain,
    senderAuthenticated: true,
    autoSubmitted: true,
  });
  return "relayed";
}

/** sendAutoReply, logged. The message is delivered already: a failure here is logged, not retried. */
export async function autoReplyLogged(
  env: Env,
  message: Pick<ForwardableEmailMessage, "reply">,
  input: AutoReplyInput,
): Promise<void> {
  try {
    const outcome = await sendAutoReply(env, message, input);
    const text = typeof outcome === "string" ? outcome : `skipped: ${outcome.skipped}`;
    log({ stage: "deliver", unit: "auto-reply", outcome: text, messageId: input.messageLogId });
  } catch (error) {
    logError({ stage: "deliver", unit: "auto-reply", outcome: "error", messageId: input.messageLogId, error });
  }
}
