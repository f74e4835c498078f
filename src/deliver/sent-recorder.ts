/**
 * Records recipients as sent while the job is still sending, so that a job cut short (the
 * invocation killed mid-session, past its CPU or wall time) and delivered again by Queues never
 * sends a second copy to a recipient whose 250 was recorded: the redelivered job skips final rows.
 *
 * Writes are grouped (D1 allows 1,000 queries per invocation): a flush once `count` 250s are
 * waiting or `ms` after the last one. The job's final record skips rows already sent, so nothing
 * is counted twice.
 */
import { type AttemptRecord, recordAttempts } from "../store/deliveries";

export const SENT_FLUSH = { count: 5, ms: 250 };

export class SentRecorder {
  private pending: AttemptRecord[] = [];
  private lastFlush = Date.now();

  constructor(
    private readonly db: D1Database,
    /** The attempt's time, as the final record writes it. */
    private readonly now: number,
    private readonly limits = SENT_FLUSH,
  ) {}

  async add(records: AttemptRecord[]): Promise<void> {
    this.pending.push(...records);
    if (this.pending.length >= this.limits.count || Date.now() - this.lastFlush >= this.limits.ms) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    this.lastFlush = Date.now();
    await recordAttempts(this.db, batch, this.now);
  }
}
