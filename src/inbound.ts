/**
 * email(): receive → authenticate → route → deliver, then one log row. Reads top to bottom.
 *
 * The decision is made without side effects; this file is the only place that acts on it:
 * - reject → message.setReject(): a permanent SMTP error for the sending server;
 * - accept → forward() and/or R2 + Queue;
 * - anything transient (D1, R2, Queue down) → throw: Email Routing answers with a temporary
 *   error and the sending server retries (DESIGN.md, "nothing lost").
 */

import { type AuthResults, authenticate, type Resolver, summarize } from "./authenticate";
import { mailFromAuthenticated } from "./authenticate/envelope-sender";
import { failedAuth } from "./authenticate/failed-auth";
import { autoReplyLogged } from "./autoreply/send-auto-reply";
import { type Config, readConfig } from "./core/config";
import { newId } from "./core/ids";
import { log, logError } from "./core/log";
import type { LoggedDecision } from "./core/logged-decision";
import { enqueueForRelay, forwardVerified, relayTraceBlock, withPrependedHeaders } from "./deliver/forward";
import { relayOnlyDomains, splitForwardable } from "./deliver/forward-policy";
import { aliasCounterStatement } from "./deliver/reverse/alias-counter";
import { reverseOwnerCopy } from "./deliver/reverse/owner-copy";
import { relayReverseReply } from "./deliver/reverse/relay-reply";
import { sealRelayed } from "./deliver/seal-relayed";
import { handleListMessage } from "./lists/handle-list-message";
import { lookupKey, parseAddress } from "./mail/address";
import { isAutoSubmitted } from "./mail/auto-submitted";
import { headerValue } from "./mail/header-fields";
import { srsForward } from "./mail/minted-address";
import { receive } from "./receive";
import { ingestReport } from "./reports/ingest";
import { route } from "./route";
import { type Decision, formatReply, reject } from "./route/decision";
import { problemDecision } from "./route/problem-decision";
import { insertMessageLog, type MessageLogEntry } from "./store/messages";
import { enqueueWebhooks } from "./webhooks/enqueue-webhooks";

export interface InboundDeps {
  resolverFor(env: Env): Resolver;
  now(): number;
}

export interface InboundOutcome {
  id: string;
  decision: Decision;
  logged: LoggedDecision;
  /** D1 statements issued on the message's path (routing + log), for the benchmark. */
  queries: number;
}

export async function handleEmail(
  message: ForwardableEmailMessage,
  env: Env,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const config = readConfig(env);
  const id = newId(deps.now());
  const base: Omit<MessageLogEntry, "decision" | "rule" | "smtpReply" | "reason" | "destinations" | "auth"> = {
    id,
    receivedAt: deps.now(),
    mailFrom: message.from,
    rcptTo: message.to,
    domain: null,
    messageId: null,
    subject: null,
    fromHeader: null,
    size: message.rawSize,
  };

  // ── receive ────────────────────────────────────────────────────────────────────────────────
  const received = await receive(
    { from: message.from, to: message.to, raw: message.raw, rawSize: message.rawSize },
    config.maxMessageBytes,
  );
  if (!received.ok) {
    const decision = problemDecision(received.problem, config);
    return finish(message, env, { ...base, auth: null }, decision, [], 0);
  }
  const mail = received.message;
  const entry = {
    ...base,
    size: mail.size,
    messageId: mail.messageId ?? null,
    subject: mail.subject ?? null,
    fromHeader: headerValue(mail.headers, "from") ?? null,
  };
  const recipient = parseAddress(message.to);
  if (!recipient) {
    // RFC 3463 5.1.3: "bad destination mailbox address syntax".
    const decision = reject("recipient-syntax", 553, "5.1.3", "Recipient address syntax is invalid");
    return finish(message, env, { ...entry, auth: null }, decision, [], 0);
  }
  entry.domain = recipient.domain;

  // ── authenticate ───────────────────────────────────────────────────────────────────────────
  let auth: AuthResults;
  try {
    auth = await authenticate(mail.raw, {
      resolver: deps.resolverFor(env),
      authservId: config.authservId,
      mailFrom: mail.mailFrom,
      topReceived: headerValue(mail.headers, "received"),
      trustedReceivers: config.trustedReceivers,
    });
  } catch (error) {
    // mailauth reports DNS trouble as temperror results; a throw here means input it could not
    // parse. That is the sender's problem, not a reason to crash or retry.
    logError({ stage: "authenticate", unit: "mailauth", outcome: "error", messageId: id, error });
    auth = failedAuth(error, mail.from.addresses);
  }
  log({ stage: "authenticate", unit: "summary", outcome: summarize(auth), messageId: id });

  // ── route ──────────────────────────────────────────────────────────────────────────────────
  // A D1 failure throws out of here on purpose: temporary failure, the sender retries.
  const routed = await route(env.DB, mail, auth, recipient, config);
  const decision = routed.decision;

  // ── deliver ────────────────────────────────────────────────────────────────────────────────
  if (decision.kind === "handoff") {
    const handoff = decision.handoff;
    if ("domain" in handoff) {
      // A report address: reports/ parses and files it; a payload without a report is logged and dropped.
      const filed = await ingestReport(env.DB, { messageLogId: id, raw: mail.raw, ...handoff, now: deps.now() });
      const logged = filed.stored + filed.duplicates > 0 ? "report" : "discarded";
      return finish(
        message,
        env,
        { ...entry, auth },
        { ...decision, reason: filed.reason },
        [],
        routed.queries,
        logged,
      );
    }
    if (handoff.kind === "reverse-reply") {
      const sent = await relayReverseReply(env, { messageLogId: id, raw: mail.raw, handoff, now: deps.now() });
      const queries = routed.queries + sent.queries;
      return finish(message, env, { ...entry, auth }, sent.decision, sent.destinations, queries, sent.logged);
    }
    // A mailing list address: lists/ decides and acts (posting chain, transform, fan-out, commands,
    // bounces), and its decision is the one logged.
    const list = await handleListMessage(env, { id, mail, auth, handoff, now: deps.now() });
    return finish(message, env, { ...entry, auth }, list.decision, list.destinations, routed.queries, list.logged);
  }
  if (decision.kind !== "accept") {
    return finish(message, env, { ...entry, auth }, decision, [], routed.queries);
  }
  if (decision.alias) {
    // Before any forward(): a failure throws while nothing has been delivered yet.
    const hooks = { messageLogId: id, raw: mail.raw, domain: recipient.domain, alias: decision.alias, auth };
    await enqueueWebhooks(env, { ...hooks, mailFrom: mail.mailFrom, rcptTo: recipient.address, now: deps.now() });
  }
  const trace = {
    loopKey: lookupKey(recipient.address),
    authSummary: summarize(auth),
    authResults: auth.header,
    originalRcpt: recipient.address,
  };
  // Reverse aliases: From is rewritten, which forward() cannot carry, so every copy is relayed.
  const ownerCopy = decision.reverse
    ? await reverseOwnerCopy(env, {
        messageLogId: id,
        raw: mail.raw,
        alias: decision.alias ?? "",
        correspondent: mail.from.addresses[0] ?? "",
        now: deps.now(),
      })
    : null;
  const policy = splitForwardable(
    decision.destinations.filter((d) => d.via === "forward" && !ownerCopy),
    { relayOnlyDomains: relayOnlyDomains(env.RELAY_ONLY_DOMAINS), canBeForwarded: canBeForwarded(message) },
  );
  for (const detour of policy.relay) {
    log({
      stage: "deliver",
      unit: "forward-policy",
      outcome: "relay",
      messageId: id,
      to: detour.to,
      reason: detour.reason,
    });
  }
  const { forwarded, refused } = await forwardVerified(message, policy.forward, trace);
  const toRelay = [
    ...decision.destinations.filter((d) => d.via === "relay" || ownerCopy).map((d) => d.to),
    ...policy.relay.map((r) => r.to),
    ...refused.map((r) => r.to),
  ];
  for (const failure of refused) {
    log({ stage: "deliver", unit: "forward", outcome: "refused", messageId: id, to: failure.to, error: failure.error });
  }
  if (toRelay.length > 0) {
    const traced = withPrependedHeaders(
      relayTraceBlock(trace, config.authservId, new Date(deps.now())),
      ownerCopy ?? mail.raw,
    );
    // Sealed after the trace fields, the last change Facteur makes (RFC 8617 section 5.1).
    const arc = { domain: recipient.domain, chain: auth.arc.result, authResults: auth.header, now: deps.now() };
    const raw = await sealRelayed(env, traced, arc);
    // R2/D1/Queue failure throws: nothing has been promised to the sender yet except any
    // forward() above, which a retry may repeat (a duplicate is better than a loss).
    await enqueueForRelay(env, {
      messageLogId: id,
      raw,
      // A bounce returned through an SRS address travels with the null reverse-path, whatever
      // sender the reporting MTA used (RFC 3464 section 2, RFC 5321 section 4.5.5).
      mailFrom:
        decision.rule === "srs-return" ? "" : await envelopeSenderFor(mail.mailFrom, recipient.domain, config, deps),
      recipients: toRelay,
      domain: recipient.domain,
      // The DSN of a failed copy goes to MAIL FROM: only a MAIL FROM domain that authenticated
      // itself gets one (authenticate/envelope-sender.ts), whatever the header From passed.
      senderAuthenticated: mailFromAuthenticated(auth, mail.mailFrom),
      autoSubmitted: isAutoSubmitted(headerValue(mail.headers, "auto-submitted")),
    });
  }
  const reply = { messageLogId: id, mailFrom: mail.mailFrom, headers: mail.headers, auth, now: deps.now() };
  if (decision.alias) await autoReplyLogged(env, message, { ...reply, alias: decision.alias });
  const logged: LoggedDecision = toRelay.length > 0 && forwarded.length === 0 ? "relayed" : "forwarded";
  // Plus one statement each: an alias's webhooks and auto-reply, a relayed copy's sealing key.
  const queries = routed.queries + (decision.alias ? 2 : 0) + (toRelay.length > 0 ? 1 : 0);
  return finish(message, env, { ...entry, auth }, decision, [...forwarded, ...toRelay], queries, logged);
}

async function envelopeSenderFor(mailFrom: string, domain: string, config: Config, deps: InboundDeps): Promise<string> {
  // RFC 5321 section 4.5.5: the null reverse-path stays null (bounces must not bounce).
  // Otherwise SRS, so SPF passes for our domain at the destination (RFC 7208 section 1.2.1).
  if (!mailFrom) return "";
  return srsForward(mailFrom, domain, config.srsSecret, deps.now());
}

const LOGGED: Record<Decision["kind"], LoggedDecision> = {
  accept: "forwarded",
  handoff: "list",
  hold: "held",
  discard: "discarded",
  reject: "rejected",
  defer: "deferred",
};

async function finish(
  message: ForwardableEmailMessage,
  env: Env,
  entry: Omit<MessageLogEntry, "decision" | "rule" | "smtpReply" | "reason" | "destinations">,
  decision: Decision,
  destinations: string[],
  queries: number,
  logged: LoggedDecision = LOGGED[decision.kind],
): Promise<InboundOutcome> {
  const smtpReply = decision.kind === "reject" ? formatReply(decision.reply) : null;
  if (decision.kind === "reject") message.setReject(smtpReply ?? "550 5.0.0 Rejected");
  log({
    stage: "route",
    unit: decision.rule,
    outcome: logged,
    messageId: entry.id,
    rcpt: entry.rcptTo,
    reason: decision.reason,
  });
  // The alias's counter (migrations/0016) in the same batch as the log row: one round trip.
  const counted = aliasCounterStatement(env.DB, decision, logged);
  try {
    const row = { ...entry, decision: logged, rule: decision.rule, smtpReply, reason: decision.reason, destinations };
    const logRow = insertMessageLog(env.DB, row);
    await (counted ? env.DB.batch([logRow, counted]) : logRow.run());
  } catch (error) {
    // The decision has already been carried out (forwarded, queued or rejected). Throwing now
    // would make the sender retry and deliver twice, so a lost log row is the lesser harm; the
    // structured log line above still records the decision.
    logError({ stage: "route", unit: "message-log", outcome: "log-write-failed", messageId: entry.id, error });
  }
  if (decision.kind === "defer") {
    // Temporary failure by design: throwing makes Email Routing answer 4xx (DESIGN.md).
    throw new Error(`deferred: ${decision.reason}`);
  }
  return { id: entry.id, decision, logged, queries: queries + (counted ? 2 : 1) };
}

/** `canBeForwarded` is newer than this runtime's types: read it where it exists (DESIGN.md). */
function canBeForwarded(message: ForwardableEmailMessage): boolean | undefined {
  const value = (message as { canBeForwarded?: unknown }).canBeForwarded;
  return typeof value === "boolean" ? value : undefined;
}
