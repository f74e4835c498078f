/**
 * Failures of the SMTP session itself (as opposed to a server reply). Each one carries the reply
 * text recorded for every recipient still pending, written like an SMTP reply so that the
 * deliveries log and DSNs read the same whatever went wrong. RFC 5321 section 4.2.1: timeouts and
 * lost connections are transient, so these are temporary unless stated otherwise.
 */
import type { RecipientStatus } from "../../relay";

export class SmtpSessionError extends Error {
  override readonly name: string = "SmtpSessionError";
  constructor(
    /** Reply-shaped text, e.g. "421 4.4.2 Facteur: timed out ...". */
    readonly reply: string,
    readonly status: RecipientStatus = "temporary",
  ) {
    super(reply);
  }
}

/** No reply (or no write progress) within the step's timeout. */
export class SmtpTimeoutError extends SmtpSessionError {
  override readonly name = "SmtpTimeoutError";
  constructor(step: string, ms: number) {
    super(`421 4.4.2 Facteur: timed out after ${ms} ms waiting for ${step}`);
  }
}

/** Could not connect, or the connection was closed or reset. */
export class SmtpConnectionError extends SmtpSessionError {
  override readonly name = "SmtpConnectionError";
  constructor(detail: string) {
    super(`421 4.4.0 Facteur: ${detail}`);
  }
}

/** The server sent something that is not an SMTP reply. */
export class SmtpProtocolError extends SmtpSessionError {
  override readonly name = "SmtpProtocolError";
  constructor(detail: string) {
    super(`421 4.5.0 Facteur: protocol error: ${detail}`);
  }
}

/** Races `promise` against a timer; the timer is always cleared. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, step: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SmtpTimeoutError(step, ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
