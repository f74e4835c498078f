/**
 * A minimal counting SMTP sink for the fan-out benchmark: accepts everything, stores nothing,
 * counts transactions and recipients. Written by hand instead of reusing test/servers/smtp-sink.mjs
 * (nodemailer's smtp-server, which parses, buffers and keeps every message for the test control API)
 * so that the figure measures the client, Facteur's relay or Postfix's smtp-source, not the server.
 * Both clients talk to the same sink. Speaks RFC 5321 with PIPELINING (RFC 2920) and, unless
 * `chunking: false`, CHUNKING (RFC 3030 BDAT), as Postfix's smtpd does by default.
 */
import net from "node:net";

export async function startSink({ chunking = true } = {}) {
  const stats = { connections: 0, messages: 0, recipients: 0, bytes: 0 };
  const server = net.createServer((socket) => {
    stats.connections++;
    socket.setNoDelay(true);
    let buffer = "";
    let inData = false;
    let rcpts = 0;
    /** Bytes of the current BDAT chunk still to come, and whether it is the LAST one. */
    let bdatLeft = 0;
    let bdatLast = false;
    socket.write("220 sink.bench ESMTP\r\n");
    socket.on("error", () => undefined);
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      const replies = [];
      for (;;) {
        if (bdatLeft > 0 || bdatLast) {
          const take = Math.min(bdatLeft, buffer.length);
          stats.bytes += take;
          buffer = buffer.slice(take);
          bdatLeft -= take;
          if (bdatLeft > 0) break;
          if (bdatLast) {
            stats.messages++;
            stats.recipients += rcpts;
            rcpts = 0;
            bdatLast = false;
            replies.push("250 2.0.0 Ok: queued");
          } else replies.push("250 2.0.0 Ok: chunk");
          continue;
        }
        if (inData) {
          // The end of data is CRLF "." CRLF (RFC 5321 section 4.1.1.4).
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) {
            // Keep the tail that could begin the terminator.
            stats.bytes += Math.max(0, buffer.length - 4);
            buffer = buffer.slice(-4);
            break;
          }
          stats.bytes += end;
          buffer = buffer.slice(end + 5);
          inData = false;
          stats.messages++;
          stats.recipients += rcpts;
          rcpts = 0;
          replies.push("250 2.0.0 Ok: queued");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) break;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO")
          replies.push(
            "250-sink.bench",
            "250-PIPELINING",
            ...(chunking ? ["250-CHUNKING"] : []),
            "250-8BITMIME",
            "250-SMTPUTF8",
            "250 SIZE 52428800",
          );
        else if (verb === "HELO") replies.push("250 sink.bench");
        else if (verb === "MAIL") {
          rcpts = 0;
          replies.push("250 2.1.0 Ok");
        } else if (verb === "RCPT") {
          rcpts++;
          replies.push("250 2.1.5 Ok");
        } else if (verb === "DATA") {
          inData = true;
          // The terminator may follow at once: DATA's own CRLF counts as the first CRLF.
          buffer = `\r\n${buffer}`;
          replies.push("354 End data with <CR><LF>.<CR><LF>");
        } else if (verb === "BDAT") {
          const [, size, last] = line.split(" ");
          bdatLeft = Number(size);
          bdatLast = last?.toUpperCase() === "LAST";
          if (bdatLeft === 0 && !bdatLast) replies.push("250 2.0.0 Ok: chunk");
        } else if (verb === "RSET" || verb === "NOOP") replies.push("250 2.0.0 Ok");
        else if (verb === "QUIT") {
          socket.end("221 2.0.0 Bye\r\n");
          return;
        } else replies.push("502 5.5.2 Command not recognized");
      }
      if (replies.length) socket.write(`${replies.join("\r\n")}\r\n`);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    host: "127.0.0.1",
    port: server.address().port,
    stats,
    reset() {
      Object.assign(stats, { connections: 0, messages: 0, recipients: 0, bytes: 0 });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
