/** Postfix's own log (maillog_file, served by the test server's control port) as the tests' witness. */

/**
 * Readers of the maillog at `controlUrl()` (called late: the server is absent when tests skip).
 * `delivered` polls up to `tries` times, 100 ms apart, until every address was delivered.
 */
export function postfixLog(controlUrl: () => string, tries: number) {
  async function maillog(): Promise<string> {
    return (await fetch(`${controlUrl()}/maillog`)).text();
  }

  /** Waits until Postfix logged delivery (to discard) for every address; returns the log. */
  async function delivered(rcpts: string[]): Promise<string> {
    for (let i = 0; i < tries; i++) {
      const log = await maillog();
      if (rcpts.every((r) => log.includes(`to=<${r}>, relay=none`))) return log;
      await new Promise((r) => setTimeout(r, 100));
    }
    return maillog();
  }

  return { maillog, delivered };
}

/** How many times `rcpt` was delivered according to `log`. */
export function deliveriesTo(log: string, rcpt: string): number {
  return log.split("\n").filter((l) => l.includes(`to=<${rcpt}>, relay=none`) && l.includes("status=sent")).length;
}
