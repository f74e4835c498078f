/**
 * Several transactions pipelined back to back on one session (RFC 2920 section 3.1 with RFC 3030
 * section 4.2): when the server offers PIPELINING and CHUNKING, a transaction ends with
 * `BDAT <n> LAST` and its chunk, so the next transaction's MAIL, RCPTs and BDAT may follow in the
 * same write. A window of small messages costs one round trip instead of one each; the replies
 * are matched in order (RFC 2920 section 3.2: the server answers every command, in order).
 *
 * Each RCPT's reply and each BDAT's reply is still that recipient's outcome. Every transaction
 * after the first of a window starts with RSET (RFC 5321 section 4.1.1.5): the previous BDAT may
 * be refused (no recipient accepted, content refused), and RFC 3030 section 2 then leaves the
 * transaction open on the server, where a pipelined MAIL would get 503 and the RCPTs and chunk
 * behind it would join the old transaction, with the previous copy's envelope sender. RSET costs a
 * reply line, not a round trip; Postfix counts it as a junk command only past
 * smtpd_junk_command_limit (100), which a session's 100 messages (pool.ts) stay under.
 * Should an RSET be refused, the transaction behind it is not trusted: only its 250s are kept and
 * its other recipients are sent again.
 * Without CHUNKING nothing follows DATA in a group (RFC 2920 section 3.1), so this is not used.
 */
import type { Envelope, RecipientOutcome } from "../../relay";
import type { SmtpConnection } from "./connection";
import { bdatSize, wireBlocks } from "./data-blocks";
import type { SmtpCapabilities } from "./ehlo";
import { SmtpProtocolError, SmtpSessionError } from "./errors";
import { writeFlight } from "./flight";
import { isPositive, type SmtpReply, statusOfFailure } from "./reply";
import { planTransaction } from "./requirements";
import type { SmtpTimeouts } from "./timeouts";
import type { SessionState } from "./transaction";

export interface WindowTransaction {
  envelope: Envelope;
  body: Uint8Array[];
  /** Envelope indexes to send to. */
  candidates: number[];
  /** Indexed like envelope.rcptTo; filled as replies are read. */
  outcomes: (RecipientOutcome | undefined)[];
}

export interface WindowResult {
  /**
   * For each transaction that reached its end (in order, a prefix of the window): the recipients
   * to send in a later transaction (452, or not final behind a refused BDAT). The transactions
   * after these did not: their recipients without an outcome are unfinished.
   */
  later: number[][];
  /** Why the session broke before the rest finished (421, lost connection, timeout). */
  broken?: SmtpSessionError;
}

export interface WindowSession {
  conn: SmtpConnection;
  caps: SmtpCapabilities;
  timeouts: SmtpTimeouts;
  state: SessionState;
}

interface Planned {
  tx: WindowTransaction;
  now: number[];
  later: number[];
  commands: string;
  size: number;
}

const encoder = new TextEncoder();

/** Decides what one transaction sends; refusals known before sending are settled here. */
function plan(session: WindowSession, tx: WindowTransaction): Planned {
  const { envelope } = tx;
  const settle = (i: number, reply: string) => {
    tx.outcomes[i] = { rcpt: envelope.rcptTo[i]!, status: "permanent", reply };
  };
  const p = planTransaction(session.caps, envelope, tx.body);
  const empty = { tx, now: [], later: [], commands: "", size: 0 };
  if (p.refuseAll) {
    for (const i of tx.candidates) settle(i, p.refuseAll);
    return empty;
  }
  const sendable = tx.candidates.filter((i) => {
    const refusal = p.refused.get(i);
    if (refusal) settle(i, refusal);
    return !refusal;
  });
  const limit = session.state.recipientLimit ?? sendable.length;
  const now = sendable.slice(0, limit);
  const size = bdatSize(tx.body);
  const params = p.mailParameters.length > 0 ? ` ${p.mailParameters.join(" ")}` : "";
  const lines = [`MAIL FROM:<${envelope.mailFrom}>${params}`, ...now.map((i) => `RCPT TO:<${envelope.rcptTo[i]}>`)];
  return { tx, now, later: sendable.slice(limit), commands: `${lines.join("\r\n")}\r\nBDAT ${size} LAST\r\n`, size };
}

/** Every command of the window, each transaction's chunk right after its BDAT line. */
function* pieces(planned: Planned[], reset: boolean): Generator<Uint8Array> {
  let first = true;
  for (const p of planned) {
    if (p.now.length === 0) continue;
    const prefix = !first || reset ? "RSET\r\n" : "";
    first = false;
    yield encoder.encode(prefix + p.commands);
    yield* wireBlocks(p.tx.body, false);
  }
}

/** Writes the whole window (in writes of about 64 KiB), then reads every reply in order. */
export async function runWindow(session: WindowSession, txs: WindowTransaction[]): Promise<WindowResult> {
  const { conn, timeouts, state } = session;
  const planned = txs.map((tx) => plan(session, tx));
  const later: number[][] = [];
  const read = async (step: string, ms: number): Promise<SmtpReply> => {
    const reply = await conn.readReply(step, ms);
    if (reply.code >= 400) state.errors += 1;
    // RFC 5321 section 3.8: 421 closes the session whatever it answers.
    if (reply.code === 421) throw new SmtpSessionError(reply.text);
    return reply;
  };
  // RSET before the first MAIL when the last transaction was left open, and before every later one.
  let reset = state.needsReset;
  try {
    await writeFlight(conn, pieces(planned, reset), "MAIL FROM", timeouts.mail);
    for (const p of planned) {
      if (p.now.length === 0) {
        later.push(p.later);
        continue;
      }
      // True when the server is known to be outside any transaction before this MAIL.
      let clean = true;
      if (reset) clean = isPositive(await read("RSET", timeouts.command));
      reset = true;
      const mail = await read("MAIL FROM", timeouts.mail);
      const rcpts: SmtpReply[] = [];
      for (const _ of p.now) rcpts.push(await read("RCPT TO", timeouts.rcpt));
      const final = await read("the end of data", timeouts.dataEnd);
      later.push(settleTransaction(p, clean, mail, rcpts, final, state));
      state.needsReset = !isPositive(final);
    }
    return { later };
  } catch (error) {
    if (!(error instanceof SmtpSessionError)) throw error;
    return { later, broken: error };
  }
}

/** Records one transaction's replies; returns the recipients to send again. */
function settleTransaction(
  p: Planned,
  clean: boolean,
  mail: SmtpReply,
  rcpts: SmtpReply[],
  final: SmtpReply,
  state: SessionState,
): number[] {
  const { tx, now } = p;
  const set = (i: number, reply: SmtpReply, status: RecipientOutcome["status"]) => {
    tx.outcomes[i] = { rcpt: tx.envelope.rcptTo[i]!, status, reply: reply.text };
  };
  if (!clean) {
    // Behind a refused RSET: only 250s are final (whatever MAIL got, the chunk went to the
    // recipients that got 250); every other recipient goes again.
    const took = isPositive(final) ? now.filter((_, k) => isPositive(rcpts[k]!)) : [];
    for (const i of took) set(i, final, "sent");
    return [...now.filter((i) => !took.includes(i)), ...p.later];
  }
  const mailOk = isPositive(mail);
  const accepted = mailOk ? now.filter((_, k) => isPositive(rcpts[k]!)) : [];
  if (isPositive(final) && accepted.length === 0) {
    throw new SmtpProtocolError("BDAT accepted with no accepted recipient");
  }
  if (!mailOk) {
    for (const i of now) set(i, mail, statusOfFailure(mail));
    return p.later;
  }
  const tooMany: number[] = [];
  now.forEach((i, k) => {
    const rcpt = rcpts[k]!;
    if (isPositive(rcpt)) return;
    if (rcpt.code === 452 && accepted.length > 0) tooMany.push(i);
    else set(i, rcpt, rcpt.code === 452 ? "temporary" : statusOfFailure(rcpt));
  });
  // RFC 5321 section 4.5.3.1.10: the server's recipient limit, learnt from its 452.
  if (tooMany.length > 0) state.recipientLimit = accepted.length;
  for (const i of accepted) set(i, final, isPositive(final) ? "sent" : statusOfFailure(final));
  return [...tooMany, ...p.later];
}
