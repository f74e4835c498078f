/**
 * The SMTP submission relay over `cloudflare:sockets` (the only TCP API in Workers). Implicit TLS
 * for smtps:// (port 465, RFC 8314), STARTTLS for smtp+starttls:// (port 587, RFC 3207), plain
 * only for loopback test sinks. The protocol steps live in ./smtp/.
 *
 * `send` alone opens a session, runs the transaction and QUITs. Through `openScope` (one per
 * invocation), sends share a pool of sessions: AUTH once per session, transactions back to back,
 * pipelined when the server offers PIPELINING.
 */
import { connect as socketsConnect } from "cloudflare:sockets";
import { ConnectionBudget } from "../connection-budget";
import type { Envelope, RecipientOutcome, Relay, RelayItem, ScopedRelay } from "../relay";
import type { RelayConfig } from "./config";
import type { ConnectFn } from "./smtp/connection";
import { DEFAULT_SESSION_LIMITS, type SessionLimits, SessionPool } from "./smtp/pool";
import { PooledSession } from "./smtp/pooled-session";
import { sendThroughPool } from "./smtp/send";
import { type ManyItem, sendManyThroughPool } from "./smtp/send-many";
import { DEFAULT_SMTP_TIMEOUTS, type SmtpTimeouts } from "./smtp/timeouts";

export { DEFAULT_SESSION_LIMITS, type SessionLimits } from "./smtp/pool";
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

export interface ScopedSmtpRelay extends ScopedRelay {
  /** Sessions opened and reuses, for tests and the benchmark. */
  readonly stats: { opened: number; reused: number };
}

export interface SmtpRelay extends Relay {
  openScope(budget?: ConnectionBudget): ScopedSmtpRelay;
}

export function createSmtpRelay(
  config: Extract<RelayConfig, { kind: "smtp" }>,
  options: SmtpRelayOptions = {},
): SmtpRelay {
  const timeouts: SmtpTimeouts = { ...DEFAULT_SMTP_TIMEOUTS, ...options.timeouts };
  const connect = options.connect ?? socketsConnect;
  const limits: SessionLimits = { ...DEFAULT_SESSION_LIMITS, ...config.sessions };
  const label = `${config.host}:${config.port}`;
  const newPool = (sessionLimits: SessionLimits, budget: ConnectionBudget) =>
    new SessionPool(() => PooledSession.open(config, timeouts, connect), sessionLimits, budget, label);

  async function send(envelope: Envelope, raw: Uint8Array, prefix?: Uint8Array): Promise<RecipientOutcome[]> {
    const pool = newPool({ ...limits, maxSessions: 1 }, new ConnectionBudget(1));
    try {
      return await sendThroughPool(pool, envelope, parts(raw, prefix));
    } finally {
      await pool.close();
    }
  }

  function openScope(budget: ConnectionBudget = new ConnectionBudget()): ScopedSmtpRelay {
    const pool = newPool(limits, budget);
    return {
      name: "smtp",
      maxRecipients: SMTP_MAX_RECIPIENTS,
      stats: pool.stats,
      acceptsPrefix: true,
      send: (envelope, raw, prefix) => sendThroughPool(pool, envelope, parts(raw, prefix)),
      // Pipelined across transactions when the server offers PIPELINING and CHUNKING (send-many.ts).
      sendMany: (items, report) => sendManyThroughPool(pool, manyItems(items), report),
      close: () => pool.close(),
    };
  }

  return { name: "smtp", maxRecipients: SMTP_MAX_RECIPIENTS, acceptsPrefix: true, send, openScope };
}

function manyItems(items: RelayItem[]): ManyItem[] {
  return items.map((item) => ({ envelope: item.envelope, body: parts(item.raw, item.prefix) }));
}

/**
 * The message as parts sent one after the other. The prefix (header lines) must end with a line
 * break to be sent on its own; otherwise it is joined to the message, as the consumer would.
 */
function parts(raw: Uint8Array, prefix?: Uint8Array): Uint8Array[] {
  if (!prefix || prefix.length === 0) return [raw];
  if (prefix[prefix.length - 1] === 0x0a) return [prefix, raw];
  const joined = new Uint8Array(prefix.length + raw.length);
  joined.set(prefix);
  joined.set(raw, prefix.length);
  return [joined];
}
