/**
 * One mail transaction (RFC 5321 section 3.3): MAIL FROM, one RCPT TO per recipient, DATA.
 * Recipients refused at RCPT get their own outcome; the message goes to those accepted (a partial
 * accept), and the final reply after DATA is the outcome of each of them.
 *
 * Fills `outcomes` (indexed like envelope.rcptTo) as results become known, and throws an
 * SmtpSessionError when the session breaks: the caller then gives every recipient still without
 * an outcome that error's (temporary) reply. Nothing is ever sent to a recipient twice in one call.
 */
import type { Envelope, RecipientOutcome } from "../../relay";
import type { SmtpConnection } from "./connection";
import { DATA_TERMINATOR, dotStuff } from "./dot-stuff";
import type { SmtpCapabilities } from "./ehlo";
import { SmtpSessionError } from "./errors";
import { isPositive, type SmtpReply, statusOfFailure } from "./reply";
import { planTransaction } from "./requirements";
import type { SmtpTimeouts } from "./timeouts";

/** Bytes written per socket write; each write has its own RFC 5321 section 4.5.3.2.5 timeout. */
export const DATA_BLOCK_BYTES = 64 * 1024;

/**
 * RFC 5321 section 3.8: 421 means the server is closing the channel, whatever command it answers;
 * the session is over, so every recipient still pending gets it (temporary) and nothing more is sent.
 */
function endIfClosing(reply: SmtpReply): SmtpReply {
  if (reply.code === 421) throw new SmtpSessionError(reply.text);
  return reply;
}

export async function runTransaction(
  conn: SmtpConnection,
  caps: SmtpCapabilities,
  envelope: Envelope,
  raw: Uint8Array,
  timeouts: SmtpTimeouts,
  outcomes: (RecipientOutcome | undefined)[],
): Promise<void> {
  const settle = (indexes: number[], reply: string, status: RecipientOutcome["status"]) => {
    for (const i of indexes) outcomes[i] = { rcpt: envelope.rcptTo[i]!, status, reply };
  };
  const all = envelope.rcptTo.map((_, i) => i);

  const plan = planTransaction(caps, envelope, raw);
  if (plan.refuseAll) return settle(all, plan.refuseAll, "permanent");
  for (const [i, reply] of plan.refused) settle([i], reply, "permanent");
  const candidates = all.filter((i) => !plan.refused.has(i));
  if (candidates.length === 0) return;

  const params = plan.mailParameters.length > 0 ? ` ${plan.mailParameters.join(" ")}` : "";
  const mail = endIfClosing(
    await conn.command(`MAIL FROM:<${envelope.mailFrom}>${params}`, "MAIL FROM", timeouts.mail),
  );
  if (!isPositive(mail)) return settle(candidates, mail.text, statusOfFailure(mail));

  const accepted: number[] = [];
  for (const i of candidates) {
    const rcpt = endIfClosing(await conn.command(`RCPT TO:<${envelope.rcptTo[i]}>`, "RCPT TO", timeouts.rcpt));
    if (isPositive(rcpt)) accepted.push(i);
    else settle([i], rcpt.text, statusOfFailure(rcpt));
  }
  if (accepted.length === 0) {
    // RFC 5321 section 3.3: no valid recipient, so no DATA; RSET ends the transaction cleanly.
    await conn.command("RSET", "RSET", timeouts.command);
    return;
  }

  const start = endIfClosing(await conn.command("DATA", "DATA", timeouts.dataInit));
  if (start.code !== 354) return settle(accepted, start.text, statusOfFailure(start));

  const data = dotStuff(raw);
  for (let offset = 0; offset < data.length; offset += DATA_BLOCK_BYTES) {
    await conn.write(data.subarray(offset, offset + DATA_BLOCK_BYTES), "message data", timeouts.dataBlock);
  }
  await conn.write(DATA_TERMINATOR, "end of data", timeouts.dataBlock);
  const final = await conn.readReply("the end of data", timeouts.dataEnd);
  settle(accepted, final.text, isPositive(final) ? "sent" : statusOfFailure(final));
}
