/**
 * How long each SMTP step may take. RFC 5321 section 4.5.3.2 gives the classic per-step values
 * (they are long because a busy receiver may legitimately think before answering); connect and
 * close have no RFC value and are ours. Every step has a bound so that a stalled server can never
 * hold a queue consumer until the platform kills it: a timeout becomes a temporary outcome.
 */
export interface SmtpTimeouts {
  /** TCP (and, for implicit TLS, the TLS handshake) until the socket is open. */
  connect: number;
  /** 220 greeting (RFC 5321 section 4.5.3.2.1: 5 minutes). */
  greeting: number;
  /** EHLO, STARTTLS, AUTH, RSET, QUIT replies (no RFC value; same as MAIL). */
  command: number;
  /** MAIL FROM reply (section 4.5.3.2.2: 5 minutes). */
  mail: number;
  /** Each RCPT TO reply (section 4.5.3.2.3: 5 minutes). */
  rcpt: number;
  /** 354 reply to DATA (section 4.5.3.2.4: 2 minutes). */
  dataInit: number;
  /** Each block of message data written to the socket (section 4.5.3.2.5: 3 minutes). */
  dataBlock: number;
  /** Final reply after the terminating "." (section 4.5.3.2.6: 10 minutes). */
  dataEnd: number;
  /**
   * The whole session, from connect to the final reply: a cap on the sum of the steps above, which
   * could otherwise add up to more than the wall time a queue consumer invocation gets (15 min).
   */
  session: number;
  /** QUIT reply: the mail is already delivered, so this wait is kept short. */
  quit: number;
  /** socket.close(); bounded because close() after startTls() can hang in workerd. */
  close: number;
}

const MINUTE = 60_000;

export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = {
  connect: 30_000,
  greeting: 5 * MINUTE,
  command: 5 * MINUTE,
  mail: 5 * MINUTE,
  rcpt: 5 * MINUTE,
  dataInit: 2 * MINUTE,
  dataBlock: 3 * MINUTE,
  dataEnd: 10 * MINUTE,
  session: 12 * MINUTE,
  quit: 10_000,
  close: 5_000,
};
