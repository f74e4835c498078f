/**
 * A recording SMTP front for tests, in front of the smtp-server sink's plain listener
 * (test/servers/smtp-sink.mjs): it relays each client command to the sink, one at a time, and
 * records what the client did on each connection, so tests can prove session reuse and pipelining.
 * nodemailer's smtp-server has no BDAT, so the front also speaks RFC 3030 CHUNKING itself: it
 * collects the chunks and hands the message to the sink through DATA (dot-stuffed), so the sink
 * stores exactly the bytes the client sent.
 *
 * Variants (one listener each):
 *   pipelining   EHLO as the sink's (PIPELINING included)
 *   lockstep     PIPELINING removed from EHLO: a client must wait for each reply
 *   chunking     PIPELINING and CHUNKING
 *   tired        PIPELINING; after 3 messages on a connection the next MAIL gets
 *                "421 4.7.0 too many messages on this connection" and the connection is closed
 *   chunkingTired  PIPELINING and CHUNKING, and tired's 421 after 3 messages
 *   chunkingDrop   PIPELINING and CHUNKING; the 4th message's BDAT LAST chunk is read, then the
 *                connection is dropped with no reply and the message is not delivered
 *
 * Per connection it records: the verbs in order, and for each read from the client the verbs that
 * read completed (a pipelined group shows as one read with MAIL, RCPT…, DATA), the RCPT addresses,
 * the messages completed and how many went by BDAT.
 */
import net from "node:net";

const TIRED_AFTER = 3;

/** Buffered reads from a socket: whole lines or exact byte counts; `reads` counts socket reads. */
class Reader {
  buf = Buffer.alloc(0);
  reads = 0;
  /** Cumulative byte count at the end of each read, and bytes consumed so far. */
  readEnds = [];
  consumed = 0;
  /** The read (1-based) in which the last line returned by line() ended. */
  lastLineRead = 0;
  ended = false;
  waiter = undefined;
  constructor(socket) {
    socket.on("data", (chunk) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.reads += 1;
      this.readEnds.push((this.readEnds.at(-1) ?? 0) + chunk.length);
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }
  take(n) {
    this.buf = this.buf.subarray(n);
    this.consumed += n;
  }
  wake() {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
  async wait() {
    if (this.ended) throw new Error("closed");
    await new Promise((resolve) => (this.waiter = resolve));
  }
  async line() {
    for (;;) {
      const eol = this.buf.indexOf("\r\n");
      if (eol >= 0) {
        const text = this.buf.subarray(0, eol).toString("latin1");
        this.take(eol + 2);
        const end = this.consumed;
        this.lastLineRead = this.readEnds.findIndex((e) => e >= end) + 1;
        return text;
      }
      await this.wait();
    }
  }
  async bytes(n) {
    while (this.buf.length < n) await this.wait();
    const out = this.buf.subarray(0, n);
    this.take(n);
    return out;
  }
  async until(terminator) {
    for (;;) {
      const end = this.buf.indexOf(terminator);
      if (end >= 0) {
        const out = this.buf.subarray(0, end + terminator.length);
        this.take(end + terminator.length);
        return out;
      }
      await this.wait();
    }
  }
  /** One SMTP reply (all its lines), as text with CRLFs. */
  async reply() {
    const lines = [];
    for (;;) {
      const line = await this.line();
      lines.push(line);
      if (line[3] !== "-") return { code: Number(line.slice(0, 3)), text: `${lines.join("\r\n")}\r\n`, lines };
    }
  }
}

function dotStuff(data) {
  const text = data.toString("latin1").replace(/(^|\r\n)\./g, "$1..");
  return Buffer.from(text.endsWith("\r\n") ? text : `${text}\r\n`, "latin1");
}

/** Starts the front listeners; `backendPort` is the sink's plain listener. */
export async function startSmtpFront(backendPort) {
  /** @type {object[]} */
  const sessions = [];
  const servers = [];
  const ports = {};
  for (const variant of ["pipelining", "lockstep", "chunking", "tired", "chunkingTired", "chunkingDrop"]) {
    const server = net.createServer((client) => serve(client, variant).catch(() => client.destroy()));
    servers.push(server);
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    ports[variant] = server.address().port;
  }

  async function serve(client, variant) {
    client.setNoDelay(true);
    const backend = net.connect(backendPort, "127.0.0.1");
    backend.setNoDelay(true);
    backend.on("error", () => client.destroy());
    client.on("close", () => backend.destroy());
    const from = new Reader(client);
    const sink = new Reader(backend);
    const record = { id: sessions.length + 1, variant, verbs: [], groups: [], rcpts: [], messages: 0, bdat: 0 };
    sessions.push(record);
    const note = (verb) => {
      record.verbs.push(verb);
      const read = from.lastLineRead;
      const last = record.groups.at(-1);
      if (last && last.read === read) last.verbs.push(verb);
      else record.groups.push({ read, verbs: [verb] });
    };
    const ask = async (bytes) => {
      backend.write(bytes);
      return sink.reply();
    };
    client.write((await sink.reply()).text);
    let bdatParts = [];
    for (;;) {
      const line = await from.line();
      const verb = line.split(" ")[0].toUpperCase();
      note(verb);
      if (verb === "EHLO") {
        const reply = await ask(`${line}\r\n`);
        let lines = reply.lines.map((l) => l.slice(4));
        if (variant === "lockstep") lines = lines.filter((l) => l.toUpperCase() !== "PIPELINING");
        if (variant.startsWith("chunking")) lines.push("CHUNKING");
        client.write(lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}\r\n`).join(""));
      } else if (
        verb === "MAIL" &&
        (variant === "tired" || variant === "chunkingTired") &&
        record.messages >= TIRED_AFTER
      ) {
        client.end("421 4.7.0 too many messages on this connection\r\n");
        backend.destroy();
        return;
      } else if (verb === "RCPT") {
        record.rcpts.push(/<([^>]*)>/.exec(line)?.[1]?.toLowerCase() ?? "");
        client.write((await ask(`${line}\r\n`)).text);
      } else if (verb === "DATA") {
        const start = await ask(`${line}\r\n`);
        client.write(start.text);
        if (start.code !== 354) continue;
        const content = await from.until("\r\n.\r\n");
        const final = await ask(content);
        if (final.code === 250) record.messages += 1;
        client.write(final.text);
      } else if (verb === "BDAT") {
        const [, size, last] = line.split(" ");
        bdatParts.push(await from.bytes(Number(size)));
        if (last?.toUpperCase() !== "LAST") {
          client.write(`250 2.0.0 ${size} octets received\r\n`);
          continue;
        }
        const data = Buffer.concat(bdatParts);
        bdatParts = [];
        if (variant === "chunkingDrop" && record.messages >= TIRED_AFTER) {
          client.destroy();
          backend.destroy();
          return;
        }
        const start = await ask("DATA\r\n");
        if (start.code !== 354) {
          client.write(start.text);
          continue;
        }
        const final = await ask(Buffer.concat([dotStuff(data), Buffer.from(".\r\n")]));
        if (final.code === 250) {
          record.messages += 1;
          record.bdat += 1;
        }
        client.write(final.text);
      } else if (verb === "QUIT") {
        client.end((await ask(`${line}\r\n`)).text);
        return;
      } else {
        client.write((await ask(`${line}\r\n`)).text);
      }
    }
  }

  return {
    ports,
    /** Connections that carried a RCPT TO for `rcpt` (case-insensitive). */
    sessionsFor(rcpt) {
      const to = rcpt.toLowerCase();
      return sessions.filter((s) => s.rcpts.includes(to));
    },
    close: () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve())))),
  };
}
