/**
 * Builds one DSN (bounce/dsn.ts) for the recipients of a job that failed for one envelope
 * sender, stores it and queues it for delivery like any other message (origin "dsn").
 */
import type { DeliveryJob } from "../core/jobs";
import { log } from "../core/log";
import { enqueueDeliveryJobs, storeDeliveryBody } from "../deliver/enqueue";
import { buildDsn } from "./dsn";

export interface FailedRecipient {
  /** deliveries.id of the failed row. */
  id: string;
  rcpt: string;
  reply: string;
  /** RFC 3463 status code. */
  status: string;
}

/** Returns the R2 key of the DSN. */
export async function queueDsn(
  env: Env,
  job: DeliveryJob,
  sender: string,
  failures: FailedRecipient[],
  rawHeaders: string,
  nowMs: number,
): Promise<string> {
  const now = new Date(nowMs);
  const dsn = buildDsn({
    reportingMta: env.AUTHSERV_ID || job.domain,
    from: `mailer-daemon@${job.domain}`,
    to: sender,
    arrivalDate: new Date(job.queuedAt),
    originalHeaders: rawHeaders,
    recipients: failures.map((f) => ({
      finalRecipient: f.rcpt,
      action: "failed" as const,
      status: f.status,
      diagnosticCode: f.reply,
      lastAttemptDate: now,
    })),
    messageIdDomain: job.domain,
    now,
  });
  // Deterministic key (first failed row): a retried job re-queues the same DSN row, not a second one.
  const r2Key = `dsn/${job.messageLogId}/${failures[0]!.id}.eml`;
  await storeDeliveryBody(env, r2Key, dsn, { messageLogId: job.messageLogId, origin: "dsn" });
  await enqueueDeliveryJobs(env, {
    origin: "dsn",
    messageLogId: job.messageLogId,
    r2Key,
    // RFC 3464 section 2 / RFC 5321 section 4.5.5: a DSN is sent with the null reverse-path.
    mailFrom: "",
    recipients: [sender],
    domain: job.domain,
    senderAuthenticated: false,
    autoSubmitted: true,
  });
  log({ stage: "bounce", unit: "dsn", outcome: "queued", messageId: job.messageLogId, to: sender, r2Key });
  return r2Key;
}
