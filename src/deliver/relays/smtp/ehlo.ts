/**
 * EHLO capability parsing (RFC 5321 section 4.1.1.1): the first line of the 250 reply greets, each
 * further line is "KEYWORD [params]". Only the extensions Facteur acts on are kept.
 */
import type { SmtpReply } from "./reply";

export interface SmtpCapabilities {
  /** RFC 1870: the declared maximum message size; 0 when SIZE is offered without a limit. */
  size?: number;
  /** RFC 6152. */
  eightBitMime: boolean;
  /** RFC 6531. */
  smtpUtf8: boolean;
  /** RFC 3207. */
  startTls: boolean;
  /** RFC 4954: SASL mechanisms offered, upper-cased. */
  auth: string[];
  /** RFC 2920: commands may be sent in groups without waiting for each reply. */
  pipelining: boolean;
  /** RFC 3030: BDAT, which carries the message without dot-stuffing. */
  chunking: boolean;
}

/** What a server that only answered HELO (no extensions) supports. */
export const NO_CAPABILITIES: SmtpCapabilities = {
  eightBitMime: false,
  smtpUtf8: false,
  startTls: false,
  auth: [],
  pipelining: false,
  chunking: false,
};

export function parseEhlo(reply: SmtpReply): SmtpCapabilities {
  const caps: SmtpCapabilities = { ...NO_CAPABILITIES, auth: [] };
  for (const line of reply.lines.slice(1)) {
    const [keyword = "", ...params] = line.trim().split(/\s+/);
    const name = keyword.toUpperCase();
    if (name === "SIZE") {
      const limit = Number(params[0] ?? "0");
      caps.size = Number.isSafeInteger(limit) && limit > 0 ? limit : 0;
    } else if (name === "8BITMIME") {
      caps.eightBitMime = true;
    } else if (name === "SMTPUTF8") {
      caps.smtpUtf8 = true;
    } else if (name === "STARTTLS") {
      caps.startTls = true;
    } else if (name === "PIPELINING") {
      caps.pipelining = true;
    } else if (name === "CHUNKING") {
      caps.chunking = true;
    } else if (name === "AUTH" || name.startsWith("AUTH=")) {
      // "AUTH=PLAIN LOGIN" is the pre-standard form some servers still send beside "AUTH".
      const inline = name.startsWith("AUTH=") ? [name.slice(5)] : [];
      for (const mech of [...inline, ...params.map((p) => p.toUpperCase())]) {
        if (mech && !caps.auth.includes(mech)) caps.auth.push(mech);
      }
    }
  }
  return caps;
}
