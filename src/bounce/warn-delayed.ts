/**
 * Delayed delivery warnings: when a recipient is still deferred DELAY_WARNING_HOURS (default 4)
 * after the message was first queued, its envelope sender gets one RFC 3464 DSN with
 * `Action: delayed` (section 2.3.3), a 4.x.x status and `Will-Retry-Until` (section 2.3.9), once
 * per message and sender (store/delay-warnings.ts). The same no-backscatter rule as failures
 * (may-bounce.ts): never to a sender that did not authenticate, the null sender, automatic mail,
 * reports, or a list's bounce address; and never for list copies (origin "list": the list's own
 * members, whose delays are the list's business, not the author's).
 */
import type { DeliveryJob } from "../core/jobs";
import { log } from "../core/log";
import { enqueueDeliveryJobs, storeDeliveryBody } from "../deliver/enqueue";
import { giveUpAfterMs } from "../deliver/give-up";
import { isAutoSubmitted } from "../mail/auto-submitted";
import { headerValue } from "../mail/header-fields";
import { headerSectionText } from "../mail/header-section";
import { claimDelayWarning, releaseDelayWarning } from "../store/delay-warnings";
import type { AttemptRecord } from "../store/deliveries";
import { buildDsn, statusFromReply } from "./dsn";
import { mayBounce } from "./may-bounce";
import { bounceTarget } from "./report-failures";

export const DEFAULT_DELAY_WARNING_HOURS = 4;

/** DELAY_WARNING_HOURS in ms; a missing or unusable value is 4 hours. */
export function delayWarningAfterMs(hours: string | undefined): number {
  const h = Number(hours);
  return (Number.isFinite(h) && h > 0 ? h : DEFAULT_DELAY_WARNING_HOURS) * 3_600_000;
}

export interface DelayedAttempt {
  job: DeliveryJob;
  now: number;
  records: AttemptRecord[];
  original: Uint8Array | null;
}

/** Queues the warnings due after this attempt; returns how many were queued. */
export async function warnDelayed(env: Env, attempt: DelayedAttempt): Promise<number> {
  const { job, now } = attempt;
  if (job.origin === "list") return 0;
  if (now - job.queuedAt < delayWarningAfterMs(env.DELAY_WARNING_HOURS)) return 0;
  const deferred = attempt.records.filter((r) => r.status === "deferred" || r.status === "relay-error");
  if (deferred.length === 0) return 0;
  const rawHeaders = attempt.original ? headerSectionText(attempt.original) : "";
  const bySender = new Map<string, typeof deferred>();
  for (const record of deferred) {
    const recipient = job.recipients.find((r) => r.id === record.id);
    const sender = recipient?.mailFrom ?? job.mailFrom;
    bySender.set(sender, [...(bySender.get(sender) ?? []), record]);
  }
  let queued = 0;
  for (const [envelopeSender, records] of bySender) {
    const sender = await bounceTarget(env, envelopeSender, job, now);
    const verdict = mayBounce({
      mailFrom: sender,
      senderAuthenticated: job.senderAuthenticated,
      autoSubmitted: job.autoSubmitted || isAutoSubmitted(headerValue(rawHeaders, "Auto-Submitted")),
      origin: job.origin,
      isReport: /^multipart\/report\b/i.test(headerValue(rawHeaders, "Content-Type") ?? ""),
    });
    if (!verdict.bounce) {
      log({
        stage: "bounce",
        unit: "delay-warning",
        outcome: "suppressed",
        messageId: job.messageLogId,
        reason: verdict.reason,
      });
      continue;
    }
    const r2Key = `dsn/${job.messageLogId}/delayed-${records[0]!.id}.eml`;
    if (!(await claimDelayWarning(env.DB, { messageLogId: job.messageLogId, sender, r2Key, now }))) continue;
    try {
      await queueWarning(env, { job, sender, records, rawHeaders, r2Key, now });
    } catch (error) {
      await releaseDelayWarning(env.DB, job.messageLogId, sender);
      throw error;
    }
    queued++;
  }
  return queued;
}

async function queueWarning(
  env: Env,
  input: { job: DeliveryJob; sender: string; records: AttemptRecord[]; rawHeaders: string; r2Key: string; now: number },
): Promise<void> {
  const { job, now } = input;
  const rcptOf = new Map(job.recipients.map((r) => [r.id, r.rcpt]));
  const dsn = buildDsn({
    reportingMta: env.AUTHSERV_ID || job.domain,
    from: `mailer-daemon@${job.domain}`,
    to: input.sender,
    arrivalDate: new Date(job.queuedAt),
    originalHeaders: input.rawHeaders,
    recipients: input.records.map((r) => ({
      finalRecipient: rcptOf.get(r.id) ?? "",
      action: "delayed" as const,
      status: statusFromReply(r.reply ?? "", "4"),
      diagnosticCode: r.reply ?? "temporary failure",
      lastAttemptDate: new Date(now),
      willRetryUntil: new Date(job.queuedAt + giveUpAfterMs(env.GIVE_UP_DAYS)),
    })),
    messageIdDomain: job.domain,
    now: new Date(now),
  });
  await storeDeliveryBody(env, input.r2Key, dsn, { messageLogId: job.messageLogId, origin: "dsn" });
  await enqueueDeliveryJobs(env, {
    origin: "dsn",
    messageLogId: job.messageLogId,
    r2Key: input.r2Key,
    // RFC 3464 section 2: a DSN travels with the null reverse-path.
    mailFrom: "",
    recipients: [input.sender],
    domain: job.domain,
    senderAuthenticated: false,
    autoSubmitted: true,
  });
  log({
    stage: "bounce",
    unit: "delay-warning",
    outcome: "queued",
    messageId: job.messageLogId,
    to: input.sender,
    r2Key: input.r2Key,
  });
}
