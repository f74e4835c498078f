/**
 * SMTP AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms, the two every submission
 * server offers. PLAIN goes first: one round trip, and standardised.
 */

import type { SmtpConnection } from "./connection";
import type { SmtpCapabilities } from "./ehlo";
import { SmtpSessionError } from "./errors";

const encoder = new TextEncoder();

function base64(text: string): string {
  let binary = "";
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Authenticates or throws. Every failure is temporary on purpose, even a 535: it says the relay
 * credentials in Facteur's configuration are wrong, not that this message or recipient is bad.
 * Retrying until the give-up horizon leaves the operator time to fix the secret; bouncing would
 * return every message sent meanwhile.
 */
export async function authenticate(
  conn: SmtpConnection,
  caps: SmtpCapabilities,
  username: string,
  password: string,
  timeoutMs: number,
): Promise<void> {
  if (caps.auth.includes("PLAIN")) {
    // RFC 4616 section 2: authzid NUL authcid NUL passwd; empty authzid = act as authcid.
    const reply = await conn.command(`AUTH PLAIN ${base64(`\0${username}\0${password}`)}`, "AUTH PLAIN", timeoutMs);
    if (reply.code !== 235) throw new SmtpSessionError(`${reply.text} (relay AUTH PLAIN refused)`);
    return;
  }
  if (caps.auth.includes("LOGIN")) {
    const first = await conn.command("AUTH LOGIN", "AUTH LOGIN", timeoutMs);
    if (first.code !== 334) throw new SmtpSessionError(`${first.text} (relay AUTH LOGIN refused)`);
    const second = await conn.command(base64(username), "AUTH LOGIN username", timeoutMs);
    if (second.code !== 334) throw new SmtpSessionError(`${second.text} (relay AUTH LOGIN refused)`);
    const done = await conn.command(base64(password), "AUTH LOGIN password", timeoutMs);
    if (done.code !== 235) throw new SmtpSessionError(`${done.text} (relay AUTH LOGIN refused)`);
    return;
  }
  const offered = caps.auth.length > 0 ? caps.auth.join(" ") : "none";
  throw new SmtpSessionError(
    `454 4.7.0 Facteur: relay credentials are configured but the server offers no AUTH PLAIN or LOGIN (offered: ${offered})`,
  );
}
