/**
 * Opens an SMTP session ready for a mail transaction: greeting, EHLO, STARTTLS then EHLO again,
 * AUTH. Every failure here is about the relay session, not about one message or recipient, so it
 * is temporary (a 5xx greeting or EHLO included): retrying until the give-up horizon gives the
 * operator time to fix the relay instead of bouncing every message sent meanwhile.
 */
import type { RelayConfig } from "../config";
import { authenticate } from "./auth";
import type { SmtpConnection } from "./connection";
import { NO_CAPABILITIES, parseEhlo, type SmtpCapabilities } from "./ehlo";
import { SmtpSessionError } from "./errors";
import type { SmtpTimeouts } from "./timeouts";

type SmtpConfig = Extract<RelayConfig, { kind: "smtp" }>;

/** Hosts where a clear-text connection never leaves the machine (credentials are safe there). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** EHLO, falling back to HELO when the server does not know EHLO (RFC 5321 section 3.2). */
async function hello(conn: SmtpConnection, heloName: string, timeoutMs: number): Promise<SmtpCapabilities> {
  const ehlo = await conn.command(`EHLO ${heloName}`, "EHLO", timeoutMs);
  if (ehlo.code === 250) return parseEhlo(ehlo);
  if (ehlo.code >= 500) {
    const helo = await conn.command(`HELO ${heloName}`, "HELO", timeoutMs);
    if (helo.code === 250) return NO_CAPABILITIES;
    throw new SmtpSessionError(`${helo.text} (reply to HELO)`);
  }
  throw new SmtpSessionError(`${ehlo.text} (reply to EHLO)`);
}

export async function openSession(
  conn: SmtpConnection,
  config: SmtpConfig,
  timeouts: SmtpTimeouts,
): Promise<SmtpCapabilities> {
  const greeting = await conn.readReply("the greeting", timeouts.greeting);
  if (greeting.code !== 220) throw new SmtpSessionError(`${greeting.text} (greeting)`);
  let caps = await hello(conn, config.heloName, timeouts.command);

  if (config.security === "starttls") {
    // RFC 3207 section 4: a client configured for TLS must not carry on in clear when STARTTLS is
    // missing or refused: that is exactly what a downgrading attacker would arrange.
    if (!caps.startTls) {
      throw new SmtpSessionError("454 4.7.0 Facteur: the server does not offer STARTTLS; not continuing in clear");
    }
    const reply = await conn.command("STARTTLS", "STARTTLS", timeouts.command);
    if (reply.code !== 220) throw new SmtpSessionError(`${reply.text} (reply to STARTTLS)`);
    try {
      conn.upgradeToTls();
    } catch (error) {
      throw new SmtpSessionError(`454 4.7.0 Facteur: TLS upgrade failed: ${(error as Error).message}`);
    }
    // RFC 3207 section 4.2: forget what was learnt in clear and ask again over TLS.
    caps = await hello(conn, config.heloName, timeouts.command);
  }

  if (config.username !== undefined) {
    // RFC 4954 section 4 / RFC 8314: never send a password in clear, except to this machine.
    if (config.security === "none" && !isLoopbackHost(config.host)) {
      throw new SmtpSessionError(
        `530 5.7.0 Facteur: not sending relay credentials without TLS to ${config.host} (use smtps:// or smtp+starttls://)`,
      );
    }
    await authenticate(conn, caps, config.username, config.password ?? "", timeouts.command);
  }
  return caps;
}
