/**
 * Delivery jobs rebuilt from stored rows alone: for rows whose job never reached the queue
 * (sweeps/requeue-orphaned-deliveries.ts) and for an operator's "retry now" or "re-send".
 *
 * Such a job knows only what the rows hold: no per-member header block, and, because the original
 * authentication verdict is not stored, no DSN (senderAuthenticated false: no backscatter, RFC 3464
 * reports go only to authenticated senders).
 */
import type { DeliveryJob, DeliveryOrigin } from "../core/jobs";
import { markDeliveriesEnqueued } from "../store/deliveries";
import { sendJobs, splitIntoJobs } from "./enqueue";

export interface StoredDeliveryRow {
  id: string;
  messageLogId: string;
  origin: string;
  r2Key: string;
  domain: string;
  mailFrom: string;
  rcpt: string;
  createdAt: number;
}

/**
 * The jobs that carry these rows: one group per stored body and domain. `queuedAt` is where the
 * give-up horizon starts: the rows' creation unless given (a re-send starts a new horizon).
 */
export function jobsForStoredRows(rows: StoredDeliveryRow[], queuedAt?: number): DeliveryJob[] {
  const groups = new Map<string, StoredDeliveryRow[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.r2Key, row.domain, row.messageLogId, row.origin]);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const jobs: DeliveryJob[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const base: Omit<DeliveryJob, "recipients"> = {
      v: 1,
      r2Key: first.r2Key,
      mailFrom: first.mailFrom,
      attempt: 0,
      origin: first.origin as DeliveryOrigin,
      messageLogId: first.messageLogId,
      domain: first.domain,
      queuedAt: queuedAt ?? Math.min(...group.map((r) => r.createdAt)),
      senderAuthenticated: false,
      autoSubmitted: true,
    };
    const recipients = group.map((r) => ({
      id: r.id,
      rcpt: r.rcpt,
      ...(r.mailFrom !== first.mailFrom ? { mailFrom: r.mailFrom } : {}),
    }));
    jobs.push(...splitIntoJobs(base, recipients));
  }
  return jobs;
}

/** Queues the rows' jobs now (no delay) and marks them enqueued once sendBatch succeeded. */
export async function requeueStoredRows(
  env: Pick<Env, "DB" | "DELIVERY_QUEUE">,
  rows: StoredDeliveryRow[],
  now: number,
  queuedAt?: number,
): Promise<void> {
  await sendJobs(env.DELIVERY_QUEUE, jobsForStoredRows(rows, queuedAt), undefined, (sent) =>
    markDeliveriesEnqueued(
      env.DB,
      sent.flatMap((job) => job.recipients.map((r) => r.id)),
      now,
    ),
  );
}
