/**
 * One SMTP client connection over `cloudflare:sockets`: writes commands, reads replies line by
 * line with a deadline per step, and upgrades to TLS in place (STARTTLS).
 *
 * Written by hand because no SMTP client library runs in workerd: nodemailer and friends need
 * node:net/node:tls, and `cloudflare:sockets` is the only TCP API a Worker has.
 */
import type { connect as socketsConnect } from "cloudflare:sockets";
import { concatBytes } from "../../../mail/bytes";
import { SmtpConnectionError, SmtpProtocolError, SmtpSessionError, withTimeout } from "./errors";
import { ReplyAssembler, type SmtpReply } from "./reply";

export type ConnectFn = typeof socketsConnect;

/**
 * Longest reply line we buffer. RFC 5321 section 4.5.3.1.5 sets 512 octets, but real servers send
 * longer lines, so we allow more; without a bound a server that never sends LF grows memory forever.
 */
export const MAX_REPLY_LINE_BYTES = 8192;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Turns anything the socket throws into a temporary session failure naming the step. */
function lost(step: string, error: unknown): SmtpSessionError {
  if (error instanceof SmtpSessionError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new SmtpConnectionError(`connection lost during ${step}: ${detail}`);
}

export class SmtpConnection {
  private reader: ReadableStreamDefaultReader<Uint8Array>;
  private writer: WritableStreamDefaultWriter<Uint8Array>;
  private buffer: Uint8Array = new Uint8Array(0);
  private assembler = new ReplyAssembler();
  /** Epoch ms after which no step may wait any longer (SmtpTimeouts.session); none by default. */
  private sessionDeadline = Number.POSITIVE_INFINITY;

  private constructor(private socket: Socket) {
    this.reader = socket.readable.getReader();
    this.writer = socket.writable.getWriter();
  }

  /** Opens the socket; with `tls`, the TLS handshake happens here (implicit TLS, RFC 8314). */
  static async open(
    connect: ConnectFn,
    host: string,
    port: number,
    secureTransport: "on" | "off" | "starttls",
    timeoutMs: number,
  ): Promise<SmtpConnection> {
    let socket: Socket;
    try {
      socket = connect({ hostname: host, port }, { secureTransport, allowHalfOpen: false });
    } catch (error) {
      // connect() throws synchronously for addresses Workers refuse (e.g. port 25).
      throw new SmtpConnectionError(`cannot connect to ${host}:${port}: ${(error as Error).message}`);
    }
    try {
      await withTimeout(socket.opened, timeoutMs, `the connection to ${host}:${port}`);
    } catch (error) {
      socket.close().catch(() => {});
      if (error instanceof SmtpSessionError) throw error;
      // With implicit TLS a refused certificate surfaces here too, as a generic connect error.
      const what = secureTransport === "on" ? " (TCP connect or TLS handshake)" : "";
      throw new SmtpConnectionError(`cannot connect to ${host}:${port}${what}: ${(error as Error).message}`);
    }
    return new SmtpConnection(socket);
  }

  /** Caps every later step so that the whole session ends by `deadline` (epoch ms). */
  limitSession(deadline: number): void {
    this.sessionDeadline = deadline;
  }

  /** The step's own timeout, or what is left of the session when that is shorter. */
  private budget(step: string, timeoutMs: number): { ms: number; label: string } {
    const left = Math.max(0, this.sessionDeadline - Date.now());
    if (left < timeoutMs) return { ms: left, label: `${step} (the session time limit ran out)` };
    return { ms: timeoutMs, label: step };
  }

  /** Waits for the next complete reply (possibly already buffered), within `timeoutMs` in total. */
  async readReply(step: string, timeoutMs: number): Promise<SmtpReply> {
    const { ms, label } = this.budget(`the reply to ${step}`, timeoutMs);
    const deadline = Date.now() + ms;
    for (;;) {
      const ready = this.takeReplyFromBuffer();
      if (ready) return ready;
      if (this.buffer.length > MAX_REPLY_LINE_BYTES) {
        throw new SmtpProtocolError(`reply line longer than ${MAX_REPLY_LINE_BYTES} bytes`);
      }
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await withTimeout(this.reader.read(), Math.max(0, deadline - Date.now()), label);
      } catch (error) {
        throw lost(step, error);
      }
      if (chunk.done)
        throw new SmtpConnectionError(`connection closed by the server while waiting for the reply to ${step}`);
      this.append(chunk.value);
    }
  }

  /** Writes bytes (or an ASCII/UTF-8 string) within `timeoutMs`. */
  async write(data: Uint8Array | string, step: string, timeoutMs: number): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    try {
      const { ms, label } = this.budget(`writing ${step}`, timeoutMs);
      await withTimeout(this.writer.write(bytes), ms, label);
    } catch (error) {
      throw lost(step, error);
    }
  }

  /** Sends one command line and returns its reply. `step` names it in errors (never the password). */
  async command(line: string, step: string, timeoutMs: number): Promise<SmtpReply> {
    await this.write(`${line}\r\n`, step, timeoutMs);
    return this.readReply(step, timeoutMs);
  }

  /**
   * Upgrades this connection to TLS after a 220 reply to STARTTLS. The runtime verifies the
   * certificate against the host name given to connect(). `expectedServerHostname` is not passed:
   * some workerd versions reject it ("startTls called with unsupported expectedServerHostname
   * option"), and it would only repeat that host name.
   * RFC 3207 section 4.2 (and the STARTTLS command injection flaw, CVE-2011-0411): anything the
   * server sent in clear after the 220 is discarded, never read as a reply.
   */
  upgradeToTls(): void {
    this.buffer = new Uint8Array(0);
    this.assembler = new ReplyAssembler();
    this.reader.releaseLock();
    this.writer.releaseLock();
    this.socket = this.socket.startTls();
    this.reader = this.socket.readable.getReader();
    this.writer = this.socket.writable.getWriter();
  }

  /**
   * Closes the socket without ever waiting longer than `timeoutMs`: in workerd, `close()` on a
   * socket that went through `startTls()` can hang forever, which would stall the consumer.
   */
  async close(timeoutMs: number): Promise<void> {
    await withTimeout(this.socket.close(), timeoutMs, "close").catch(() => {});
  }

  private append(chunk: Uint8Array): void {
    if (this.buffer.length === 0) {
      this.buffer = chunk;
      return;
    }
    this.buffer = concatBytes([this.buffer, chunk]);
  }

  /** Consumes complete lines from the buffer until one completes a reply. */
  private takeReplyFromBuffer(): SmtpReply | undefined {
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      if (lf < 0) return undefined;
      const end = lf > 0 && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
      const line = decoder.decode(this.buffer.subarray(0, end));
      this.buffer = this.buffer.subarray(lf + 1);
      const reply = this.assembler.push(line);
      if (reply) return reply;
    }
  }
}
