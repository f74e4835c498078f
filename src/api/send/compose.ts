/**
 * JSON submission → RFC 5322 message, composed with mimetext. Bodies and attachments are base64
 * (RFC 2045 section 6.8, lines of 76 characters) so any UTF-8 text and binary survives 7-bit
 * relays; mimetext writes the multipart structure. Bcc is never written (RFC 5322 section 3.6.3
 * allows omitting it, and a Bcc header would reveal the blind recipients).
 */
import type { z } from "@hono/zod-openapi";
import { createMimeMessage, Mailbox } from "mimetext";
import { toBase64, utf8 } from "../../credentials/encoding";
import { rfc5322Date } from "../../mail/date";
import type { SendJson } from "./routes";

function wrap76(base64: string): string {
  return (base64.replace(/\s+/g, "").match(/.{1,76}/g) ?? []).join("\r\n");
}

/** mimetext joins lines with the platform EOL; SMTP needs CRLF everywhere (RFC 5321 section 2.3.8). */
export function toCrlf(raw: string): string {
  return raw.replace(/\r?\n/g, "\r\n");
}

export function composeMessage(input: z.output<typeof SendJson>, messageId: string, now: Date): string {
  const msg = createMimeMessage();
  msg.setSender(input.from_name ? { name: input.from_name, addr: input.from } : { addr: input.from });
  if (input.to.length) msg.setTo(input.to.map((addr) => ({ addr })));
  if (input.cc.length) msg.setCc(input.cc.map((addr) => ({ addr })));
  if (input.reply_to) msg.setHeader("Reply-To", new Mailbox({ addr: input.reply_to }, { type: "To" }));
  msg.setSubject(input.subject);
  msg.setHeader("Message-ID", messageId);
  msg.setHeader("Date", rfc5322Date(now));
  for (const [name, value] of Object.entries(input.headers)) msg.setHeader(name, value);
  if (input.text !== undefined) {
    msg.addMessage({ contentType: "text/plain", data: wrap76(toBase64(utf8(input.text))), encoding: "base64" });
  }
  if (input.html !== undefined) {
    msg.addMessage({ contentType: "text/html", data: wrap76(toBase64(utf8(input.html))), encoding: "base64" });
  }
  for (const file of input.attachments) {
    msg.addAttachment({ filename: file.filename, contentType: file.content_type, data: wrap76(file.content) });
  }
  return `${toCrlf(msg.asRaw())}\r\n`;
}
