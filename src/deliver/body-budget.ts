/**
 * Issue 10 item 7: the delivery consumer runs up to CONCURRENT_JOBS jobs of a batch at once, and
 * each holds its body (and, depending on the relay, a dot-stuffed or multipart copy). Four jobs
 * of 25 MiB at once is over 100 MiB of bodies plus copies, against a 128 MB isolate: an
 * out-of-memory death retries the whole batch. So the jobs of one invocation share a budget of
 * body bytes: a job starts when its body fits beside the bodies in flight, or when it is alone
 * (a body larger than the budget still goes, one at a time).
 */

/** 32 MiB: one maximum-size message (25 MiB) at a time, or many ordinary ones together. */
export const BODY_BYTES_IN_FLIGHT = 32 * 1024 * 1024;

export class BodyBudget {
  private inFlight = 0;
  private waiting: (() => void)[] = [];

  constructor(readonly limit: number = BODY_BYTES_IN_FLIGHT) {}

  /** Waits until `bytes` fit (or nothing else is in flight); returns the release function. */
  async acquire(bytes: number): Promise<() => void> {
    while (this.inFlight > 0 && this.inFlight + bytes > this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.inFlight += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= bytes;
      for (const wake of this.waiting.splice(0)) wake();
    };
  }
}
