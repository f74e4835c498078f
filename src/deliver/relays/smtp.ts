/**
 * The SMTP submission relay: one connection per `send`, over `cloudflare:sockets` (the only TCP
 * API in Workers). Implicit TLS for smtps:// (port 465, RFC 8314), STARTTLS for smtp+starttls://
 * (port 587, RFC 3207), plain only for loopback test sinks. The protocol steps live in ./smtp/.
 */
import { connect as socketsConnect } from "cloudflare:sockets";
import { log } from "../../core/log";
import type { Envelope, RecipientOutcome, Relay } from "../relay";
import type { RelayConfig } from "./config";
import { type ConnectFn, SmtpConnection } from "./smtp/connection";
import { SmtpSessionError } from "./smtp/errors";
import { openSession } from "./smtp/session";
import { DEFAULT_SMTP_TIMEOUTS, type SmtpTimeouts } from "./smtp/timeouts";
import { runTransaction } from "./smtp/transaction";

export type { SmtpTimeouts } from "./smtp/timeouts";
export { DEFAULT_SMTP_TIMEOUTS } from "./smtp/timeouts";

/**
 * RFC 5321 section 4.5.3.1.8: a server must accept at least 100 recipients per transaction, so
 * 100 is the most a relay can take without learning the server's own limit by failure.
 */
export const SMTP_MAX_RECIPIENTS = 100;

export interface SmtpRelayOptions {
  timeouts?: Partial<SmtpTimeouts>;
  /** Injected in tests; defaults to `connect` from cloudflare:sockets. */
  connect?: ConnectFn;
}

const SECURE_TRANSPORT = { tls: "on", starttls: "starttls", none: "off" } as const;

export function createSmtpRelay(config: Extract<RelayConfig, { kind: "smtp" }>, options: SmtpRelayOptions = {}): Relay {
  const timeouts: SmtpTimeouts = { ...DEFAULT_SMTP_TIMEOUTS, ...options.timeouts };
  const connect = options.connect ?? socketsConnect;

  async function send(envelope: Envelope, raw: Uint8Array): Promise<RecipientOutcome[]> {
    if (envelope.rcptTo.length === 0) return [];
    const outcomes: (RecipientOutcome | undefined)[] = envelope.rcptTo.map(() => undefined);
    let conn: SmtpConnection | undefined;
    try {
      const sessionDeadline = Date.now() + timeouts.session;
      conn = await SmtpConnection.open(
        connect,
        config.host,
        config.port,
        SECURE_TRANSPORT[config.security],
        Math.min(timeouts.connect, timeouts.session),
      );
      conn.limitSession(sessionDeadline);
      const caps = await openSession(conn, config, timeouts);
      await runTransaction(conn, caps, envelope, raw, timeouts, outcomes);
      // RFC 5321 section 4.1.1.10: end the session with QUIT. The outcomes are settled already,
      // so a QUIT that fails or times out changes nothing.
      await conn.command("QUIT", "QUIT", timeouts.quit).catch(() => undefined);
    } catch (error) {
      if (!(error instanceof SmtpSessionError)) throw error;
      envelope.rcptTo.forEach((rcpt, i) => {
        outcomes[i] ??= { rcpt, status: error.status, reply: error.reply };
      });
    } finally {
      await conn?.close(timeouts.close);
    }
    // runTransaction settles every recipient or throws; the fallback only guards that invariant.
    const settled = outcomes.map(
      (o, i) =>
        o ?? { rcpt: envelope.rcptTo[i]!, status: "temporary" as const, reply: "451 4.3.0 Facteur: no reply recorded" },
    );
    log({
      stage: "deliver",
      unit: "smtp-relay",
      outcome: summarise(settled),
      relay: `${config.host}:${config.port}`,
      sent: settled.filter((o) => o.status === "sent").length,
      temporary: settled.filter((o) => o.status === "temporary").length,
      permanent: settled.filter((o) => o.status === "permanent").length,
    });
    return settled;
  }

  return { name: "smtp", maxRecipients: SMTP_MAX_RECIPIENTS, send };
}

function summarise(outcomes: RecipientOutcome[]): string {
  const kinds = new Set(outcomes.map((o) => o.status));
  return kinds.size === 1 ? [...kinds][0]! : "mixed";
}
