/**
 * One mail transaction (RFC 5321 section 3.3) on a session that may already have carried others:
 * RSET when the previous transaction was left open, MAIL FROM, one RCPT TO per recipient, then the
 * content through DATA (dot-stuffed) or BDAT (RFC 3030, as is).
 *
 * With PIPELINING (RFC 2920 section 3.1) the commands up to DATA go in one write and the replies
 * are matched in order; with CHUNKING as well, a small message follows as `BDAT n LAST` in the
 * same flight, so the whole transaction costs one round trip (RFC 3030 section 4.2 allows BDAT in
 * a pipelined group; a server with no accepted recipient refuses the chunk and drops its bytes).
 *
 * Each RCPT's reply is that recipient's outcome. Recipients refused with 452 (RFC 5321 section
 * 4.5.3.1.10, "too many recipients") while others were accepted are returned, to be sent in a
 * later transaction. Fills `outcomes` (indexed like envelope.rcptTo) as results become known, and
 * throws an SmtpSessionError when the session breaks (a 421 or a lost connection).
 */
import type { Envelope, RecipientOutcome } from "../../relay";
import type { SmtpConnection } from "./connection";
import { bdatSize, wireBlocks } from "./data-blocks";
import { DATA_TERMINATOR } from "./dot-stuff";
import type { SmtpCapabilities } from "./ehlo";
import { SmtpProtocolError, SmtpSessionError } from "./errors";
import { flight, writeFlight } from "./flight";
import { isPositive, type SmtpReply, statusOfFailure } from "./reply";
import { planTransaction } from "./requirements";
import type { SmtpTimeouts } from "./timeouts";

export { DATA_BLOCK_BYTES } from "./data-blocks";

/** Largest message sent in the same flight as its commands, before any RCPT is known to pass. */
export const SPECULATIVE_BDAT_BYTES = 256 * 1024;

const FINAL_STEP = "the end of data";

const encoder = new TextEncoder();

/** What a session remembers between transactions. */
export interface SessionState {
  /** A transaction is open on the server (MAIL accepted, content not completed): RSET first. */
  needsReset: boolean;
  /** Recipients per transaction the server took before answering 452; learned, never guessed. */
  recipientLimit?: number;
  /** 4xx/5xx replies on this session: servers end sessions with too many (Postfix's error limits). */
  errors: number;
}

export interface Transaction {
  conn: SmtpConnection;
  caps: SmtpCapabilities;
  timeouts: SmtpTimeouts;
  state: SessionState;
  envelope: Envelope;
  /** The message in parts (see planTransaction): sent one after the other, never joined. */
  body: Uint8Array[];
  /** Envelope indexes to send to in this transaction. */
  candidates: number[];
  outcomes: (RecipientOutcome | undefined)[];
  /** Set once the end of the content was written: from then on the message may have been taken. */
  progress: { contentSent: boolean };
}

/**
 * RFC 5321 section 3.8: 421 means the server is closing the channel, whatever command it answers;
 * the session is over, so every recipient still pending gets it (temporary) and nothing more is sent.
 */
function endIfClosing(reply: SmtpReply): SmtpReply {
  if (reply.code === 421) throw new SmtpSessionError(reply.text);
  return reply;
}

/** Runs the transaction; returns the recipients to send in a later transaction (452). */
export async function runTransaction(tx: Transaction): Promise<number[]> {
  const { caps, envelope, body, state } = tx;
  const settle = (indexes: number[], reply: string, status: RecipientOutcome["status"]) => {
    for (const i of indexes) tx.outcomes[i] = { rcpt: envelope.rcptTo[i]!, status, reply };
  };
  const plan = planTransaction(caps, envelope, body);
  if (plan.refuseAll) {
    settle(tx.candidates, plan.refuseAll, "permanent");
    return [];
  }
  const sendable: number[] = [];
  for (const i of tx.candidates) {
    const refusal = plan.refused.get(i);
    if (refusal) settle([i], refusal, "permanent");
    else sendable.push(i);
  }
  const limit = state.recipientLimit ?? sendable.length;
  const now = sendable.slice(0, limit);
  const later = sendable.slice(limit);
  if (now.length === 0) return later;

  const params = plan.mailParameters.length > 0 ? ` ${plan.mailParameters.join(" ")}` : "";
  const mailLine = `MAIL FROM:<${envelope.mailFrom}>${params}`;
  const rcptLines = now.map((i) => `RCPT TO:<${envelope.rcptTo[i]}>`);
  const size = caps.chunking ? bdatSize(body) : 0;
  const speculative = caps.pipelining && caps.chunking && size <= SPECULATIVE_BDAT_BYTES;

  // Send the envelope: one write with PIPELINING, else one command at a time.
  const replies = caps.pipelining
    ? await pipelineEnvelope(tx, mailLine, rcptLines, speculative ? `BDAT ${size} LAST` : caps.chunking ? "" : "DATA")
    : undefined;
  const next = async (line: string, step: string, ms: number): Promise<SmtpReply> => {
    const reply = replies ? await tx.conn.readReply(step, ms) : await tx.conn.command(line, step, ms);
    // Pipelined BDAT: the content went with the commands. A connection lost before any reply is
    // a session the server had already dropped (it read nothing); after one, it may have the mail.
    if (speculative) tx.progress.contentSent = true;
    if (reply.code >= 400) state.errors += 1;
    // A 421 before the final reply: the server closed without reading the content, so the
    // message was not taken, even if its bytes were already written (pipelined BDAT).
    if (reply.code === 421 && step !== FINAL_STEP) tx.progress.contentSent = false;
    return endIfClosing(reply);
  };

  if (state.needsReset) {
    await next("RSET", "RSET", tx.timeouts.command);
    state.needsReset = false;
  }
  const mail = await next(mailLine, "MAIL FROM", tx.timeouts.mail);
  const mailOk = isPositive(mail);
  if (mailOk) state.needsReset = true;
  else settle(now, mail.text, statusOfFailure(mail));

  const accepted: number[] = [];
  const tooMany: { index: number; reply: SmtpReply }[] = [];
  // Without PIPELINING nothing is sent after a refused MAIL; with it, every reply is read in order.
  for (let k = 0; k < now.length && (mailOk || replies); k++) {
    const rcpt = await next(rcptLines[k]!, "RCPT TO", tx.timeouts.rcpt);
    const i = now[k]!;
    if (!mailOk) continue;
    if (isPositive(rcpt)) accepted.push(i);
    else if (rcpt.code === 452) tooMany.push({ index: i, reply: rcpt });
    else settle([i], rcpt.text, statusOfFailure(rcpt));
  }
  if (tooMany.length > 0) {
    if (accepted.length > 0) {
      later.unshift(...tooMany.map((t) => t.index));
      state.recipientLimit = accepted.length;
    } else {
      for (const t of tooMany) settle([t.index], t.reply.text, "temporary");
    }
  }

  if (speculative) {
    const final = await next("", FINAL_STEP, tx.timeouts.dataEnd);
    if (accepted.length > 0) settle(accepted, final.text, isPositive(final) ? "sent" : statusOfFailure(final));
    else if (isPositive(final)) throw new SmtpProtocolError("BDAT accepted with no accepted recipient");
    // RFC 3030 section 2: after a refused BDAT the transaction is left for RSET to clear.
    state.needsReset = !isPositive(final);
    return later;
  }
  if (!caps.chunking) {
    // With PIPELINING, DATA was sent already and its reply must be read even with no recipient.
    if (accepted.length === 0 && !replies) return later;
    const start = await next("DATA", "DATA", tx.timeouts.dataInit);
    if (accepted.length === 0) {
      // Never send content then: closing the session (no final ".") delivers nothing.
      if (start.code === 354) throw new SmtpProtocolError("354 to DATA with no accepted recipient");
      return later;
    }
    if (start.code !== 354) {
      settle(accepted, start.text, statusOfFailure(start));
      return later;
    }
  } else if (accepted.length === 0) {
    return later;
  }
  const final = await sendContent(tx, caps.chunking ? size : undefined);
  settle(accepted, final.text, isPositive(final) ? "sent" : statusOfFailure(final));
  state.needsReset = caps.chunking && !isPositive(final);
  return later;
}

/** Writes RSET (when needed), MAIL, every RCPT and `last` (DATA or BDAT, with its chunk) at once. */
async function pipelineEnvelope(tx: Transaction, mail: string, rcpts: string[], last: string): Promise<true> {
  const lines = [...(tx.state.needsReset ? ["RSET"] : []), mail, ...rcpts, ...(last ? [last] : [])];
  const commands = encoder.encode(`${lines.join("\r\n")}\r\n`);
  const chunk = last.startsWith("BDAT");
  await writeFlight(
    tx.conn,
    chunk ? flight([commands], wireBlocks(tx.body, false)) : [commands],
    "MAIL FROM",
    tx.timeouts.mail,
  );
  return true;
}

/** The content after a 354 (dot-stuffed), or as one `BDAT size LAST` chunk; returns the final reply. */
async function sendContent(tx: Transaction, bdatBytes: number | undefined): Promise<SmtpReply> {
  const pieces =
    bdatBytes !== undefined
      ? flight([encoder.encode(`BDAT ${bdatBytes} LAST\r\n`)], wireBlocks(tx.body, false))
      : flight([], wireBlocks(tx.body, true), DATA_TERMINATOR);
  await writeFlight(tx.conn, pieces, "message data", tx.timeouts.dataBlock);
  tx.progress.contentSent = true;
  const final = await tx.conn.readReply(FINAL_STEP, tx.timeouts.dataEnd);
  if (final.code >= 400) tx.state.errors += 1;
  return endIfClosing(final);
}
