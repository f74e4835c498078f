/**
 * DSN emission: after a delivery attempt, the recipients that failed for good are reported to
 * their envelope sender, one DSN per sender (RFC 3464), when mayBounce allows; otherwise the
 * suppression is logged (no backscatter). Each failed row gets a note: 'queued:<key>' or
 * 'suppressed:<reason>'.
 */
import type { DeliveryJob } from "../core/jobs";
import { log } from "../core/log";
import type { PermanentFailure } from "../deliver/deliver-job";
import { isAutoSubmitted } from "../mail/auto-submitted";
import { headerValue } from "../mail/header-fields";
import { headerSectionText } from "../mail/header-section";
import { isSrsAddress, srsReverse } from "../mail/minted-address";
import { markDsn } from "../store/deliveries";
import { statusFromReply } from "./dsn";
import { mayBounce } from "./may-bounce";
import { queueDsn } from "./queue-dsn";

function isReport(headers: string): boolean {
  return /^multipart\/report\b/i.test(headerValue(headers, "Content-Type") ?? "");
}

/**
 * Queues the DSNs for `failures` of `job`. `original` is the stored message (null when missing):
 * its header section goes back in the report. Returns the note per delivery id.
 */
export async function reportFailures(
  env: Env,
  job: DeliveryJob,
  failures: PermanentFailure[],
  original: Uint8Array | null,
  now: () => number = Date.now,
): Promise<Map<string, string>> {
  const notes = new Map<string, string>();
  if (failures.length === 0) return notes;
  const rawHeaders = original ? headerSectionText(original) : "";
  const bySender = new Map<string, PermanentFailure[]>();
  for (const f of failures) {
    const sender = f.recipient.mailFrom ?? job.mailFrom;
    bySender.set(sender, [...(bySender.get(sender) ?? []), f]);
  }
  for (const [envelopeSender, group] of bySender) {
    const sender = await bounceTarget(env, envelopeSender, job, now());
    const verdict = mayBounce({
      mailFrom: sender,
      senderAuthenticated: job.senderAuthenticated,
      autoSubmitted: job.autoSubmitted || isAutoSubmitted(headerValue(rawHeaders, "Auto-Submitted")),
      origin: job.origin,
      isReport: isReport(rawHeaders),
    });
    const ids = group.map((f) => f.recipient.id);
    if (!verdict.bounce) {
      log({
        stage: "bounce",
        unit: "may-bounce",
        outcome: "suppressed",
        messageId: job.messageLogId,
        reason: verdict.reason,
        sender,
        rcpts: group.map((f) => f.recipient.rcpt),
      });
      for (const id of ids) notes.set(id, `suppressed:${verdict.reason}`);
      continue;
    }
    const recipients = group.map((f) => ({
      id: f.recipient.id,
      rcpt: f.recipient.rcpt,
      reply: f.reply,
      status: f.status ?? statusFromReply(f.reply, "5"),
    }));
    const r2Key = await queueDsn(env, job, sender, recipients, rawHeaders, now());
    for (const id of ids) notes.set(id, `queued:${r2Key}`);
  }
  return notes;
}

/** Writes the notes of reportFailures on rows already final (the dead-letter path). */
export async function markReported(db: D1Database, notes: Map<string, string>, now: number): Promise<void> {
  const byNote = new Map<string, string[]>();
  for (const [id, note] of notes) byNote.set(note, [...(byNote.get(note) ?? []), id]);
  for (const [note, ids] of byNote) await markDsn(db, ids, note, now);
}

/**
 * Where a DSN for `envelopeSender` goes. Alias mail leaves with an SRS0 sender of our own domain;
 * a report addressed there would travel out and back in through email() only to be reversed, so
 * it is reversed here and sent straight to the original sender.
 */
export async function bounceTarget(env: Env, envelopeSender: string, job: DeliveryJob, now: number): Promise<string> {
  const at = envelopeSender.lastIndexOf("@");
  if (!isSrsAddress(envelopeSender) || envelopeSender.slice(at + 1).toLowerCase() !== job.domain.toLowerCase()) {
    return envelopeSender;
  }
  const reversed = await srsReverse(envelopeSender, env.SRS_SECRET, now);
  if (reversed.ok) return reversed.original;
  log({
    stage: "bounce",
    unit: "srs",
    outcome: reversed.reason,
    messageId: job.messageLogId,
    sender: envelopeSender,
  });
  return envelopeSender;
}
