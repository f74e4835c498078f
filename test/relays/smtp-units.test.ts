// Units of the SMTP client: reply assembly across chunk boundaries, EHLO parsing, dot-stuffing
// (with a fast-check property), and the pre-flight plan. A scripted socket is injected where
// byte-level control is needed; everything else runs against the real sink in the other files.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSmtpRelay } from "../../src/deliver/relays/smtp";
import { type ConnectFn, SmtpConnection } from "../../src/deliver/relays/smtp/connection";
import { dotStuff, dotUnstuff, normaliseLineEndings } from "../../src/deliver/relays/smtp/dot-stuff";
import { parseEhlo } from "../../src/deliver/relays/smtp/ehlo";
import { SmtpProtocolError, SmtpTimeoutError } from "../../src/deliver/relays/smtp/errors";
import { ReplyAssembler } from "../../src/deliver/relays/smtp/reply";
import { planTransaction } from "../../src/deliver/relays/smtp/requirements";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A scripted server behind an injected `connect`: `answer(line)` returns the chunks to send back
 * for each command line the client writes (split however the test wants).
 */
function scriptedServer(greeting: string[], answer: (line: string) => string[]) {
  const written: string[] = [];
  let push: (chunk: string) => void = () => {};
  const connect: ConnectFn = () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const readable = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    push = (chunk) => controller.enqueue(enc.encode(chunk));
    let pending = "";
    const writable = new WritableStream<Uint8Array>({
      write(chunk) {
        pending += dec.decode(chunk);
        for (let i = pending.indexOf("\r\n"); i >= 0; i = pending.indexOf("\r\n")) {
          const line = pending.slice(0, i);
          pending = pending.slice(i + 2);
          written.push(line);
          for (const part of answer(line)) push(part);
        }
      },
    });
    for (const part of greeting) push(part);
    const socket = {
      readable,
      writable,
      opened: Promise.resolve({}),
      closed: new Promise<void>(() => {}),
      upgraded: false,
      secureTransport: "off",
      close: async () => controller.close(),
      startTls: () => {
        throw new Error("no TLS in the scripted server");
      },
    };
    return socket as unknown as Socket;
  };
  return { connect, written, push: (chunk: string) => push(chunk) };
}

describe("reply reading", () => {
  it("assembles multi-line replies and rejects mixed codes and garbage", () => {
    const assembler = new ReplyAssembler();
    expect(assembler.push("250-first")).toBeUndefined();
    expect(assembler.push("250-SIZE 100")).toBeUndefined();
    expect(assembler.push("250 last")).toEqual({
      code: 250,
      lines: ["first", "SIZE 100", "last"],
      text: "250-first\n250-SIZE 100\n250 last",
    });
    expect(assembler.push("354")).toEqual({ code: 354, lines: [""], text: "354" });
    expect(() => new ReplyAssembler().push("HTTP/1.1 400 Bad Request")).toThrow(SmtpProtocolError);
    const mixed = new ReplyAssembler();
    mixed.push("250-a");
    expect(() => mixed.push("550 b")).toThrow(/reply code changed/);
  });

  it("a reply split across chunks, and several replies in one chunk", async () => {
    const server = scriptedServer(["22", "0 gree", "ting\r", "\n250-one\r\n250 two\r\n251 three\r\n"], () => []);
    const conn = await SmtpConnection.open(server.connect, "h", 1, "off", 1000);
    expect((await conn.readReply("greeting", 1000)).text).toBe("220 greeting");
    expect((await conn.readReply("x", 1000)).lines).toEqual(["one", "two"]);
    expect((await conn.readReply("y", 1000)).code).toBe(251);
    await expect(conn.readReply("z", 50)).rejects.toBeInstanceOf(SmtpTimeoutError);
  });

  it("bare LF line ends are read too, and an endless line is cut off", async () => {
    const server = scriptedServer(["220 lf only\n"], () => []);
    const conn = await SmtpConnection.open(server.connect, "h", 1, "off", 1000);
    expect((await conn.readReply("greeting", 1000)).text).toBe("220 lf only");
    server.push(`250 ${"x".repeat(20_000)}`);
    await expect(conn.readReply("long", 1000)).rejects.toThrow(/longer than/);
  });

  it("a whole transaction where the server answers one byte at a time", async () => {
    const byteByByte = (reply: string) => [...reply];
    const server = scriptedServer(byteByByte("220 slow.test ESMTP\r\n"), (line) => {
      if (line.startsWith("EHLO")) return byteByByte("250-slow.test\r\n250-8BITMIME\r\n250 SIZE 1000\r\n");
      if (line.startsWith("MAIL") || line.startsWith("RCPT")) return byteByByte("250 2.1.0 ok\r\n");
      if (line === "DATA") return byteByByte("354 go ahead\r\n");
      if (line === ".") return byteByByte("250 2.0.0 queued\r\n");
      if (line === "QUIT") return byteByByte("221 bye\r\n");
      return [];
    });
    const relay = createSmtpRelay(
      { kind: "smtp", host: "slow.test", port: 587, security: "none", heloName: "me.test" },
      { connect: server.connect, timeouts: { greeting: 1000, command: 1000, mail: 1000, rcpt: 1000, dataEnd: 1000 } },
    );
    const outcomes = await relay.send(
      { mailFrom: "a@b.test", rcptTo: ["c@d.test"] },
      enc.encode("Subject: x\r\n\r\n.hi\r\n"),
    );
    expect(outcomes).toEqual([{ rcpt: "c@d.test", status: "sent", reply: "250 2.0.0 queued" }]);
    expect(server.written).toEqual([
      "EHLO me.test",
      "MAIL FROM:<a@b.test> SIZE=19",
      "RCPT TO:<c@d.test>",
      "DATA",
      "Subject: x",
      "",
      "..hi",
      ".",
      "QUIT",
    ]);
  });

  it("falls back to HELO when EHLO is unknown, and uses no extension", async () => {
    const server = scriptedServer(["220 old.test\r\n"], (line) => {
      if (line.startsWith("EHLO")) return ["502 5.5.1 unrecognized command\r\n"];
      if (line.startsWith("HELO")) return ["250 old.test\r\n"];
      if (line === "DATA") return ["354 go\r\n"];
      if (line === ".") return ["250 ok\r\n"];
      if (line.startsWith("MAIL") || line.startsWith("RCPT")) return ["250 ok\r\n"];
      if (line === "QUIT") return ["221 bye\r\n"];
      return [];
    });
    const relay = createSmtpRelay(
      { kind: "smtp", host: "old.test", port: 587, security: "none", heloName: "me.test" },
      { connect: server.connect },
    );
    const outcomes = await relay.send(
      { mailFrom: "a@b.test", rcptTo: ["c@d.test"] },
      enc.encode("Subject: x\r\n\r\nhi\r\n"),
    );
    expect(outcomes[0]!.status).toBe("sent");
    expect(server.written.slice(0, 3)).toEqual(["EHLO me.test", "HELO me.test", "MAIL FROM:<a@b.test>"]);
  });
});

describe("EHLO capabilities", () => {
  it("parses SIZE, 8BITMIME, SMTPUTF8, STARTTLS and both AUTH forms", () => {
    const caps = parseEhlo({
      code: 250,
      lines: [
        "mx.test hello",
        "PIPELINING",
        "SIZE 35882577",
        "8BITMIME",
        "smtputf8",
        "STARTTLS",
        "AUTH PLAIN login",
        "AUTH=XOAUTH2",
        "chunking",
      ],
      text: "",
    });
    expect(caps).toEqual({
      size: 35882577,
      eightBitMime: true,
      smtpUtf8: true,
      startTls: true,
      auth: ["PLAIN", "LOGIN", "XOAUTH2"],
      pipelining: true,
      chunking: true,
    });
    expect(parseEhlo({ code: 250, lines: ["mx", "SIZE"], text: "" }).size).toBe(0);
    expect(parseEhlo({ code: 250, lines: ["mx"], text: "" })).toEqual({
      eightBitMime: false,
      smtpUtf8: false,
      startTls: false,
      auth: [],
      pipelining: false,
      chunking: false,
    });
  });
});

describe("dot-stuffing (RFC 5321 section 4.5.2)", () => {
  const bytes = (s: string) => enc.encode(s);

  it("doubles leading dots, normalises bare CR and LF, ends with CRLF", () => {
    expect(dec.decode(dotStuff(bytes(".a\n.\r\nb\rc.\r\n..d")))).toBe("..a\r\n..\r\nb\r\nc.\r\n...d\r\n");
    expect(dotStuff(bytes(""))).toEqual(new Uint8Array(0));
  });

  it("property: un-stuffing what was stuffed gives back the CRLF-normalised message", () => {
    const lineish = fc.array(fc.constantFrom(".", "\r", "\n", "\r\n", "a", "é", "..", " ", "\u0000"), {
      maxLength: 60,
    });
    fc.assert(
      fc.property(
        fc.oneof(
          lineish.map((parts) => bytes(parts.join(""))),
          fc.uint8Array({ maxLength: 300 }),
        ),
        (raw) => {
          const stuffed = dotStuff(raw);
          expect(dotUnstuff(stuffed)).toEqual(normaliseLineEndings(raw));
          // The end-of-data marker can never appear inside stuffed data.
          const text = `\r\n${dec.decode(stuffed)}`;
          expect(text.includes("\r\n.\r\n")).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: already-normalised data round-trips to itself", () => {
    const line = fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ""));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const raw = bytes(lines.map((l) => `${l}\r\n`).join(""));
        expect(dotUnstuff(dotStuff(raw))).toEqual(raw);
      }),
    );
  });
});

describe("transaction plan", () => {
  const caps = {
    eightBitMime: true,
    smtpUtf8: true,
    startTls: false,
    auth: [],
    pipelining: false,
    chunking: false,
    size: 1000,
  };
  const seven = enc.encode("Subject: a\r\n\r\nb\r\n");

  it("declares SIZE, BODY=8BITMIME and SMTPUTF8 only when needed", () => {
    expect(planTransaction(caps, { mailFrom: "a@b", rcptTo: ["c@d"] }, seven).mailParameters).toEqual(["SIZE=17"]);
    const eight = enc.encode("Subject: a\r\n\r\nçà\r\n");
    expect(planTransaction(caps, { mailFrom: "a@b", rcptTo: ["c@d"] }, eight).mailParameters).toEqual([
      "SIZE=20",
      "BODY=8BITMIME",
    ]);
    const utf8Header = enc.encode("Subject: ça\r\n\r\nb\r\n");
    expect(planTransaction(caps, { mailFrom: "a@b", rcptTo: ["c@d"] }, utf8Header).mailParameters).toContain(
      "SMTPUTF8",
    );
  });

  it("refuses unsafe or oversize envelopes before anything is sent", () => {
    expect(planTransaction(caps, { mailFrom: "a@b>\r\nDATA", rcptTo: ["c@d"] }, seven).refuseAll).toMatch(
      /^501 5\.1\.7/,
    );
    const long = `${"x".repeat(300)}@d`;
    expect(planTransaction(caps, { mailFrom: "a@b", rcptTo: [long, "c@d"] }, seven).refused).toEqual(
      new Map([[0, "501 5.1.3 Facteur: the recipient address is longer than 256 octets"]]),
    );
    const noUtf8 = { ...caps, smtpUtf8: false };
    expect(planTransaction(noUtf8, { mailFrom: "ü@b", rcptTo: ["c@d"] }, seven).refuseAll).toMatch(/^553 5\.6\.7/);
  });
});
