/**
 * SMTP reply parsing (RFC 5321 section 4.2): a reply is one or more lines "NNN-text" ending with a
 * line "NNN text" (or bare "NNN"); every line of one reply carries the same code.
 */
import { SmtpProtocolError } from "./errors";

/**
 * Lines of one multi-line reply we keep. EHLO replies have a dozen lines; a hostile or broken
 * server streaming continuation lines forever must not grow memory without bound.
 */
export const MAX_REPLY_LINES = 128;

export interface SmtpReply {
  code: number;
  /** The text of each line, without the code and separator. */
  lines: string[];
  /** The reply verbatim, lines joined with "\n" (e.g. "550 5.1.1 <a@b>: no such user"). */
  text: string;
}

const REPLY_LINE = /^([2-5][0-9][0-9])([ -]|$)(.*)$/;

/** Collects reply lines and yields each complete reply. */
export class ReplyAssembler {
  private pending: { code: number; lines: string[]; raw: string[] } | undefined;

  /** Feed one line (without CRLF). Returns the completed reply when this line ends one. */
  push(line: string): SmtpReply | undefined {
    const match = REPLY_LINE.exec(line);
    if (!match) throw new SmtpProtocolError(`not an SMTP reply line: ${JSON.stringify(line.slice(0, 80))}`);
    const code = Number(match[1]);
    const more = match[2] === "-";
    if (this.pending && this.pending.code !== code) {
      throw new SmtpProtocolError(`reply code changed from ${this.pending.code} to ${code} inside one reply`);
    }
    const pending = this.pending ?? { code, lines: [], raw: [] };
    if (pending.lines.length >= MAX_REPLY_LINES) {
      throw new SmtpProtocolError(`reply longer than ${MAX_REPLY_LINES} lines`);
    }
    pending.lines.push(match[3] ?? "");
    pending.raw.push(line);
    if (more) {
      this.pending = pending;
      return undefined;
    }
    this.pending = undefined;
    return { code, lines: pending.lines, text: pending.raw.join("\n") };
  }
}

export function isPositive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

/** RFC 5321 section 4.2.1: 4yz transient, 5yz permanent (anything else here is unexpected: transient). */
export function statusOfFailure(reply: SmtpReply): "temporary" | "permanent" {
  return reply.code >= 500 ? "permanent" : "temporary";
}
