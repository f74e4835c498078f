/**
 * The owner's reply to a reverse address (routing checked it is the owner, authenticated):
 * REVERSE_REPLY_PIPELINE strips what would reveal them, writes From the alias and To the
 * correspondent, DKIM-signs with the alias domain's key, and the relay sends it. The envelope
 * sender is the alias: a bounce comes back to the alias (and so to the owner), and an SRS address
 * would carry the owner's address. No trace fields and no ARC set: they would carry Facteur's
 * inbound results, which name the owner's domain and address (smtp.mailfrom); the reply is a new
 * message authored by the alias, not a forwarded one.
 */
import type { LoggedDecision } from "../../core/logged-decision";
import { loadSigningKey } from "../../credentials/dkim-keys";
import { domainOf } from "../../mail/address";
import { joinMessage, splitMessage } from "../../mail/message-parts";
import { type Decision, type ReverseReplyHandoff, reject } from "../../route/decision";
import { REVERSE_REPLY_PIPELINE, runReversePipeline } from "../../transform/reverse/pipelines";
import { enqueueDelivery } from "../enqueue";

export interface ReverseReplyInput {
  messageLogId: string;
  raw: Uint8Array;
  handoff: ReverseReplyHandoff;
  now: number;
}

export interface ReverseReplyOutcome {
  decision: Decision;
  destinations: string[];
  logged: LoggedDecision;
  /** D1 statements issued (signing key, delivery rows). */
  queries: number;
}

export async function relayReverseReply(
  env: Pick<Env, "DB" | "KEY_ENCRYPTION_KEY" | "MAIL" | "DELIVERY_QUEUE">,
  input: ReverseReplyInput,
): Promise<ReverseReplyOutcome> {
  const { alias, to, ownerMailboxes } = input.handoff;
  const domain = domainOf(alias);
  const key = await loadSigningKey(env, domain);
  if (!key) {
    // Unsigned, the reply would fail DMARC for the alias domain at the correspondent: refused,
    // so the owner's provider tells them at once (RFC 3463 5.7.0: "other security status").
    const refused = reject("reverse-address", 554, "5.7.0", `${domain} has no DKIM key to sign the reply with`);
    return { decision: refused, destinations: [], logged: "rejected", queries: 1 };
  }
  const context = await runReversePipeline(
    REVERSE_REPLY_PIPELINE,
    {
      alias,
      domain,
      correspondent: to,
      ownerMailboxes,
      messageId: `<${input.messageLogId}@${domain}>`,
      signingKey: key,
      now: input.now,
      message: splitMessage(input.raw),
      notes: [],
    },
    input.messageLogId,
  );
  await enqueueDelivery(env, {
    origin: "alias",
    messageLogId: input.messageLogId,
    raw: joinMessage(context.message),
    mailFrom: alias,
    recipients: [to],
    domain,
    // The owner passed DMARC (route/rules/reverse-address.ts): a bounce may go back to the alias.
    senderAuthenticated: true,
  });
  const decision: Decision = {
    kind: "accept",
    rule: "reverse-address",
    reason: `reply from ${alias} through contact ${input.handoff.contactId}`,
    destinations: [{ to, via: "relay" }],
    alias,
  };
  return { decision, destinations: [to], logged: "relayed", queries: 3 };
}
