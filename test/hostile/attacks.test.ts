/**
 * Generated attacks through the real email() entry point: header bombs,
 * MIME nesting bombs, garbage bytes, From-field tricks, size-limit edges, non-mail payloads and a
 * base64 bomb. Each asserts the decision, the log row and a time bound generous enough for the
 * vitest pool (about 4x slower than production).
 */
import { env } from "cloudflare:test";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_HEADER_FIELDS, MAX_HEADER_SECTION_BYTES } from "../../src/mail/header-section";
import { emailMessage, mail } from "../helpers/email";
import { dkimSigned } from "../helpers/keys";
import { attackerKey, DESTINATION, RCPT_DOMAIN, SMTP_REJECT, seed, send, senderKey, worker } from "./harness";

const SECONDS = 1000;

beforeAll(seed);

const encoder = new TextEncoder();
const bytes = (...parts: (string | Uint8Array | number[])[]) => {
  const chunks = parts.map((p) =>
    typeof p === "string" ? encoder.encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p),
  );
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
};

function expectRejected(sent: Awaited<ReturnType<typeof send>>, reply: RegExp, rule: string) {
  expect(sent.rejected).toMatch(reply);
  expect(sent.rejected).toMatch(SMTP_REJECT);
  expect(sent.forwards).toEqual([]);
  expect(sent.row, "no message log row").not.toBeNull();
  expect(sent.row?.decision).toBe("rejected");
  expect(sent.row?.rule).toBe(rule);
  expect(sent.row?.smtp_reply).toBe(sent.rejected);
}

function expectForwarded(sent: Awaited<ReturnType<typeof send>>) {
  expect(sent.rejected).toBeUndefined();
  expect(sent.forwards).toEqual([DESTINATION]);
  expect(sent.row, "no message log row").not.toBeNull();
  expect(sent.row?.decision).toBe("forwarded");
}

const auth = (sent: Awaited<ReturnType<typeof send>>) =>
  JSON.parse(sent.row?.auth ?? "null") as Record<string, { result: string; comment: string }> | null;

describe("header bombs", () => {
  it("refuses 100,000 header lines as an oversized header section (552 5.3.4)", async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `X-Filler-${i}: a`).join("\r\n");
    const sent = await send(`${lines}\r\n${mail({ From: "someone@sender.test" })}`);
    expectRejected(sent, /^552 5\.3\.4 Header section too large/, "header-limits");
    expect(sent.ms).toBeLessThan(10 * SECONDS);
  });

  it("refuses 100,000 folded continuation lines of one field the same way", async () => {
    const folded = `X-Folded: start${"\r\n x".repeat(100_000)}`;
    const sent = await send(`${folded}\r\n${mail({ From: "someone@sender.test" })}`);
    expectRejected(sent, /^552 5\.3\.4 /, "header-limits");
    expect(sent.ms).toBeLessThan(10 * SECONDS);
  });

  it(`refuses ${MAX_HEADER_FIELDS + 1} small fields inside the byte limit (554 5.6.0)`, async () => {
    const lines = Array.from({ length: MAX_HEADER_FIELDS + 1 }, (_, i) => `X-${i}: a`).join("\r\n");
    expect(lines.length).toBeLessThan(MAX_HEADER_SECTION_BYTES);
    const sent = await send(`${lines}\r\n${mail({ From: "someone@sender.test" })}`);
    expectRejected(sent, /^554 5\.6\.0 Too many header fields/, "header-limits");
  });

  it("refuses a 1 MB header line (552 5.3.4)", async () => {
    const sent = await send(mail({ From: "someone@sender.test", Subject: "a".repeat(1024 * 1024) }));
    expectRejected(sent, /^552 5\.3\.4 /, "header-limits");
    expect(sent.ms).toBeLessThan(10 * SECONDS);
  });

  it("accepts a header section just under the byte limit", async () => {
    const filler = `X-Filler: ${"b".repeat(990)}\r\n`.repeat(Math.floor((MAX_HEADER_SECTION_BYTES - 2048) / 1001));
    const signed = await dkimSigned(mail({ From: "someone@sender.test" }), senderKey);
    const sent = await send(`${filler}${signed}`);
    expectForwarded(sent);
    expect(auth(sent)?.dkim?.result).toBe("pass");
  });

  it("forwards a 1 MB body line (body lines are the body hash's business, not a header bomb)", async () => {
    const signed = await dkimSigned(
      mail({ From: "someone@sender.test", Subject: "long line" }, `${"z".repeat(1024 * 1024)}\r\n`),
      senderKey,
    );
    const sent = await send(signed);
    expectForwarded(sent);
    expect(auth(sent)?.dkim?.result).toBe("pass");
    expect(sent.ms).toBeLessThan(10 * SECONDS);
  });
});

describe("MIME structure bombs (Facteur never walks the MIME tree on the inbound path)", () => {
  it("forwards 200 levels of multipart nesting, DKIM intact", async () => {
    let body = "innermost\r\n";
    for (let depth = 200; depth >= 1; depth--) {
      body = `--b${depth}\r\nContent-Type: ${depth === 200 ? "text/plain" : `multipart/mixed; boundary="b${depth + 1}"`}\r\n\r\n${body}\r\n--b${depth}--\r\n`;
    }
    const raw = mail(
      { From: "someone@sender.test", "MIME-Version": "1.0", "Content-Type": 'multipart/mixed; boundary="b1"' },
      body,
    );
    const sent = await send(await dkimSigned(raw, senderKey));
    expectForwarded(sent);
    expect(auth(sent)?.dkim?.result).toBe("pass");
    expect(sent.ms).toBeLessThan(10 * SECONDS);
  });

  it("forwards 500 message/rfc822 parts", async () => {
    const inner = mail({ From: "x@inner.test", Subject: "inner" }, "inner body\r\n");
    const parts = Array.from({ length: 500 }, () => `--part\r\nContent-Type: message/rfc822\r\n\r\n${inner}\r\n`).join(
      "",
    );
    const raw = mail(
      { From: "someone@sender.test", "MIME-Version": "1.0", "Content-Type": 'multipart/mixed; boundary="part"' },
      `${parts}--part--\r\n`,
    );
    const sent = await send(await dkimSigned(raw, senderKey));
    expectForwarded(sent);
    expect(auth(sent)?.dkim?.result).toBe("pass");
    expect(sent.ms).toBeLessThan(10 * SECONDS);
  });

  it("forwards a base64 bomb: a gzip bomb attachment beside a 10 MB single-line base64 part", async () => {
    // 100 MB of zeros compress to about 100 KB: harmless unless something decompresses it.
    const gzBomb = Buffer.from(gzipSync(new Uint8Array(100 * 1024 * 1024)))
      .toString("base64")
      .replace(/.{76}/g, "$&\r\n");
    const zeros = "A".repeat(10 * 1024 * 1024);
    const body = [
      "--bomb\r\nContent-Type: text/plain\r\n\r\nsee attachments\r\n",
      `--bomb\r\nContent-Type: application/gzip\r\nContent-Encoding: gzip\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="zeros.gz"\r\n\r\n${gzBomb}\r\n`,
      `--bomb\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${zeros}\r\n`,
      "--bomb--\r\n",
    ].join("");
    const raw = mail(
      { From: "someone@sender.test", "MIME-Version": "1.0", "Content-Type": 'multipart/mixed; boundary="bomb"' },
      body,
    );
    const sent = await send(await dkimSigned(raw, senderKey));
    expectForwarded(sent);
    expect(auth(sent)?.dkim?.result).toBe("pass");
    expect(sent.ms).toBeLessThan(30 * SECONDS);
  });
});

describe("garbage bytes in headers", () => {
  it("forwards control characters and 8-bit garbage in a Subject and an X- field, and logs it", async () => {
    // No NUL: a header section with a NUL is refused whole (below).
    const garbage = [0x01, 0x80, 0xff, 0xfe, 0xc3, 0x28, 0x02, 0xed, 0xa0, 0x80];
    const raw = bytes(
      "From: someone@evil.test\r\nTo: inbox@hostile.test\r\nMessage-ID: <garbage@test>\r\nSubject: a",
      garbage,
      "b\r\nX-",
      garbage,
      ": ",
      garbage,
      "\r\n\r\nbody\r\n",
    );
    const sent = await send(raw);
    expectForwarded(sent);
    expect(sent.row?.subject).toMatch(/^a.*b$/);
  });

  it("rejects a From field whose address is 8-bit garbage and control characters (no author domain)", async () => {
    const raw = bytes("From: ", [0xff, 0x01, 0xfe], "@", [0x80, 0x01], "\r\nSubject: x\r\n\r\nbody\r\n");
    const sent = await send(raw);
    expectRejected(sent, /^550 5\.7\.1 From header field hides/, "header-from");
  });

  it("rejects undecodable 8-bit bytes inside the From address, forwards them in a display name", async () => {
    const inAddress = await send(bytes("From: ceo@bank", [0xe9], ".test\r\nSubject: x\r\n\r\nbody\r\n"));
    expectRejected(inAddress, /^550 5\.7\.1 From header field hides/, "header-from");
    // Legacy mailers still write Latin-1 display names raw; the address itself is clean.
    const inName = await send(bytes("From: Zo", [0xeb], " <zoe@evil.test>\r\nSubject: x\r\n\r\nbody\r\n"));
    expectForwarded(inName);
  });

  it("rejects NUL bytes in place of the whole header section", async () => {
    const sent = await send(new Uint8Array(4096));
    expectRejected(sent, /^554 5\.6\.0 Header section contains a bare CR or a NUL/, "header-limits");
  });

  it("rejects a header section with a NUL anywhere in it (554 5.6.0), as a bare CR", async () => {
    const nul = await send(bytes("From: a@evil.test\r\nSubject: x", [0x00], "y\r\n\r\nbody\r\n"));
    expectRejected(nul, /^554 5\.6\.0 Header section contains a bare CR or a NUL/, "header-limits");
    const cr = await send("From: a@evil.test\r\nSubject: x\rBcc: y@evil.test\r\n\r\nbody\r\n");
    expectRejected(cr, /^554 5\.6\.0 Header section contains a bare CR or a NUL/, "header-limits");
  });

  it("rejects an empty message", async () => {
    const sent = await send(new Uint8Array(0));
    expectRejected(sent, /^554 5\.6\.0 /, "header-limits");
  });
});

describe("From field tricks (RFC 5322 section 3.6, RFC 7489 section 6.6.1)", () => {
  it("rejects a message with no From field (550 5.6.0)", async () => {
    const sent = await send("To: inbox@hostile.test\r\nSubject: anonymous\r\nMessage-ID: <a@test>\r\n\r\nhi\r\n");
    expectRejected(sent, /^550 5\.6\.0 Message has no From header field/, "header-from");
  });

  it("rejects an empty From field (550 5.6.0)", async () => {
    const sent = await send(mail({ From: "" }));
    expectRejected(sent, /^550 5\.6\.0 /, "header-from");
  });

  it("rejects a From naming several author domains (550 5.7.1: rejected, not treated as a DMARC fail)", async () => {
    const signed = await dkimSigned(mail({ From: "attacker@evil.test, ceo@bank.test" }), attackerKey);
    const sent = await send(signed, { from: "attacker@evil.test" });
    expectRejected(sent, /^550 5\.7\.1 From header names several/, "header-from");
  });

  it("forwards a From with several mailboxes of one domain (one author domain, DMARC applies)", async () => {
    const signed = await dkimSigned(mail({ From: "a@evil.test, b@evil.test" }), attackerKey);
    expectForwarded(await send(signed, { from: "a@evil.test" }));
  });

  it("rejects a duplicate From field (550 5.6.0), even when the signed one is first", async () => {
    const signed = await dkimSigned(mail({ From: "attacker@evil.test" }), attackerKey);
    const sent = await send(`From: ceo@bank.test\r\n${signed}`, { from: "attacker@evil.test" });
    expectRejected(sent, /^550 5\.6\.0 Message has more than one From header field/, "header-from");
    const after = await send(signed.replace("\r\n\r\n", "\r\nFrom: ceo@bank.test\r\n\r\n"), {
      from: "attacker@evil.test",
    });
    expectRejected(after, /^550 5\.6\.0 /, "header-from");
  });

  it.each([
    ["a zero-width space after the domain", "ceo@bank.test\u200b"],
    ["a zero-width joiner inside the domain", "ceo@ba\u200dnk.test"],
    ["a soft hyphen inside the domain", "ceo@ban\u00adk.test"],
    ["a BOM between labels", "ceo@bank\ufeff.test"],
    ["a right-to-left override", "\u202etset.knab@oec"],
    ["a control character inside the address", "ceo@bank.test\u0001.evil.test"],
  ])("rejects a From with %s (550 5.7.1: the reader and DMARC would see different domains)", async (_, from) => {
    // Unsigned mail that a mail client shows as from ceo@bank.test (p=reject). Without the
    // obfuscation check, IDNA encoding or address parsing turns the domain into an unpublished
    // name and DMARC finds no policy, so the spoof would be forwarded.
    const sent = await send(mail({ From: from }), { from: "attacker@evil.test" });
    expectRejected(sent, /^550 5\.7\.1 From header field hides invisible or control characters/, "header-from");
  });

  it.each([
    // Unfolding trims the field value (RFC 5322 section 2.2.3), and JavaScript's trim() counts
    // the BOM as white space: what is left is plain ceo@bank.test.
    ["a leading BOM", "\ufeffceo@bank.test"],
    // Both parsers end the address at the no-break space: the address is ceo@bank.test.
    ["a no-break space after the address", "ceo@bank.test\u00a0.evil.test"],
    // IDNA (UTS #46) maps these to "." the way a reader sees them.
    ["a full-width dot", "ceo@bank\uff0etest"],
    ["an ideographic full stop", "ceo@bank\u3002test"],
  ])("reads a From with %s as bank.test and applies its p=reject (550 5.7.1)", async (_, from) => {
    const sent = await send(mail({ From: from }), { from: "attacker@evil.test" });
    expectRejected(sent, /^550 5\.7\.1 /, "dmarc-reject");
  });

  it("treats text before an address and a Unicode space as a display name (the address shown stays evil.test)", async () => {
    // Display-name spoofing is outside DMARC (RFC 7489 section 11.4): both parsers agree that the
    // address is attacker@evil.test, and that is the domain DMARC evaluates.
    const signed = await dkimSigned(mail({ From: "ceo@bank.test\u2003<attacker@evil.test>" }), attackerKey);
    const sent = await send(signed, { from: "attacker@evil.test" });
    expectForwarded(sent);
    expect(auth(sent)?.dmarc?.result).toBe("pass");
  });
});

describe("size limit (MAX_MESSAGE_BYTES, 552 5.3.4)", () => {
  const LIMIT = 8192;
  const limited = () => ({ ...env, MAX_MESSAGE_BYTES: String(LIMIT) }) as Env;
  const ofSize = (size: number) => {
    const head = mail({ From: "someone@evil.test", Subject: "size" }, "");
    return head + "x".repeat(size - encoder.encode(head).byteLength);
  };

  it("accepts a message of exactly the limit", async () => {
    const raw = ofSize(LIMIT);
    expect(encoder.encode(raw).byteLength).toBe(LIMIT);
    const sent = await send(raw, { testEnv: limited() });
    expectForwarded(sent);
    expect(sent.row?.size).toBe(LIMIT);
  });

  it("refuses one byte over, from the announced size, without reading the stream", async () => {
    const raw = encoder.encode(ofSize(LIMIT + 1));
    let pulled = 0;
    const captured = emailMessage(raw, { from: "someone@evil.test", to: `inbox+over@${RCPT_DOMAIN}` });
    (captured.message as { raw: ReadableStream<Uint8Array> }).raw = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled++;
          controller.enqueue(raw);
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    await worker.email(captured.message, limited(), {} as ExecutionContext);
    expect(captured.rejected).toMatch(/^552 5\.3\.4 Message exceeds the 8192-byte size limit/);
    expect(pulled).toBe(0);
    const row = await env.DB.prepare("SELECT * FROM messages WHERE rcpt_to = ?")
      .bind(`inbox+over@${RCPT_DOMAIN}`)
      .first<{ rule: string }>();
    expect(row?.rule).toBe("max-size");
  });

  it("refuses a stream that runs past the limit when the announced size lies, and stops reading", async () => {
    const chunk = encoder.encode("x".repeat(4096));
    let pulled = 0;
    const captured = emailMessage("", { from: "someone@evil.test", to: `inbox+liar@${RCPT_DOMAIN}` });
    (captured.message as { raw: ReadableStream<Uint8Array> }).raw = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          // An endless stream: only a bounded reader survives it.
          pulled++;
          controller.enqueue(pulled === 1 ? encoder.encode(mail({ From: "someone@evil.test" }, "")) : chunk);
        },
      },
      { highWaterMark: 0 },
    );
    (captured.message as { rawSize: number }).rawSize = 100;
    await worker.email(captured.message, limited(), {} as ExecutionContext);
    expect(captured.rejected).toMatch(/^552 5\.3\.4 /);
    expect(pulled).toBeLessThanOrEqual(Math.ceil(LIMIT / chunk.byteLength) + 2);
    const row = await env.DB.prepare("SELECT * FROM messages WHERE rcpt_to = ?")
      .bind(`inbox+liar@${RCPT_DOMAIN}`)
      .first<{ rule: string }>();
    expect(row?.rule).toBe("max-size");
  });
});

describe("announced size (message.rawSize) that does not match the stream", () => {
  it.each([
    ["smaller than the stream", 100],
    ["larger than the stream", 50_000],
    ["zero", 0],
  ])("reads the whole stream when the announced size is %s", async (_, announced) => {
    const raw = mail({ From: "someone@evil.test", Subject: "sizes" }, `${"line of body text\r\n".repeat(200)}`);
    const sent = await send(raw, { rawSize: announced });
    expectForwarded(sent);
    expect(sent.row?.size).toBe(encoder.encode(raw).byteLength);
  });
});

describe("non-mail payloads", () => {
  it("rejects an HTTP request (no From field)", async () => {
    const sent = await send("POST /cgi-bin/php HTTP/1.1\r\nHost: mx.hostile.test\r\nContent-Length: 4\r\n\r\nx=1\r\n");
    expectRejected(sent, /^550 5\.6\.0 /, "header-from");
  });

  it("rejects a TLS ClientHello sent in clear (no header section)", async () => {
    const hello = [
      0x16,
      0x03,
      0x01,
      0x02,
      0x00,
      0x01,
      0x00,
      0x01,
      0xfc,
      0x03,
      0x03,
      ...Array.from({ length: 500 }, (_, i) => (i * 37) & 0xff),
    ];
    const sent = await send(Uint8Array.from(hello.filter((b) => b !== 0x3a)));
    expectRejected(sent, /^554 5\.6\.0 /, "header-limits");
  });

  it("rejects SMTP commands sent as the message (no From field)", async () => {
    const sent = await send(
      "EHLO evil.test\r\nMAIL FROM:<a@evil.test>\r\nRCPT TO:<inbox@hostile.test>\r\nDATA\r\n.\r\nQUIT\r\n",
    );
    expectRejected(sent, /^5\d\d 5\.6\.0 /, "header-from");
  });

  it("rejects a binary file (PNG) as having no header section", async () => {
    const png = bytes(
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      new Uint8Array(2048).map((_, i) => (i * 13 + 7) & 0xff).filter((b) => b !== 0x3a),
    );
    const sent = await send(png);
    expectRejected(sent, /^554 5\.6\.0 /, "header-limits");
  });
});
