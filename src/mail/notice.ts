/**
 * The messages Facteur writes itself (list notices: moderation, confirmations, help, bounce
 * notices), composed with mimetext so that display names and subjects are RFC 2047 encoded words
 * and the MIME structure is mimetext's, not hand-rolled. Lines end in CRLF throughout (RFC 5322
 * section 2.1), the attached message is passed through byte for byte.
 */
import { createMimeMessage, Mailbox, MIMEMessage } from "mimetext";
import { toBinaryString } from "./bytes";
import { rfc5322Date } from "./date";
import { hasControlCharacter, headerText, validMessageId } from "./message-id";

export interface NoticeMessage {
  from: { name: string; address: string };
  to: string;
  subject: string;
  /** Plain text, any line endings. */
  text: string;
  date: Date;
  /** With its angle brackets. */
  messageId: string;
  replyTo?: string;
  inReplyTo?: string;
  /** RFC 3834 section 5: auto-replied for answers to a message, auto-generated otherwise. */
  autoSubmitted: "auto-replied" | "auto-generated";
  /** Further fields, written as given (ASCII). */
  fields?: Record<string, string>;
  /** A message/rfc822 attachment (RFC 2046 section 5.2.1), e.g. a held post for moderators. */
  attach?: { filename: string; message: Uint8Array };
}

/** mimetext's Node environment, with CRLF as the line ending instead of the platform's. */
function crlfMessage(): MIMEMessage {
  return new MIMEMessage({ ...createMimeMessage().envctx, eol: "\r\n" });
}

/**
 * Every value written into a header field is checked: addresses and the caller's own fields must
 * be free of control characters (a line break there is a bug, refused by throwing), free text
 * (the Subject, which may quote a received one) has them replaced, and In-Reply-To is written
 * only when it is one well-formed msg-id (RFC 5322 section 3.6.4), since it usually comes from
 * the message being answered.
 */
function checkedFields(notice: NoticeMessage): void {
  const fixed = [notice.from.name, notice.from.address, notice.to, notice.replyTo ?? "", notice.messageId];
  for (const [name, value] of Object.entries(notice.fields ?? {})) fixed.push(name, value);
  if (fixed.some(hasControlCharacter)) throw new Error("notice header value contains a control character");
  if (!validMessageId(notice.messageId)) throw new Error(`notice Message-ID is not a msg-id: ${notice.messageId}`);
}

/** The notice as a binary string (one char per byte), CRLF line endings, ready to sign. */
export function composeNotice(notice: NoticeMessage): string {
  checkedFields(notice);
  const msg = crlfMessage();
  msg.setSender({ name: notice.from.name, addr: notice.from.address });
  msg.setTo({ addr: notice.to });
  msg.setSubject(headerText(notice.subject));
  msg.setHeader("Date", rfc5322Date(notice.date));
  msg.setHeader("Message-ID", notice.messageId);
  if (notice.replyTo) msg.setHeader("Reply-To", new Mailbox({ addr: notice.replyTo }, { type: "To" }));
  const inReplyTo = validMessageId(notice.inReplyTo);
  if (inReplyTo) msg.setHeader("In-Reply-To", inReplyTo);
  msg.setHeader("Auto-Submitted", notice.autoSubmitted);
  for (const [name, value] of Object.entries(notice.fields ?? {})) msg.setHeader(name, value);
  // UTF-8 bytes as a binary string, so that the text and the attached message (any bytes) end
  // up in one binary string; 8bit, as the text is short and mostly ASCII.
  const text = toBinaryString(new TextEncoder().encode(notice.text.replace(/\r?\n/g, "\r\n")));
  msg.addMessage({ contentType: "text/plain", charset: "utf-8", encoding: "8bit", data: text });
  if (notice.attach) {
    msg.addAttachment({
      filename: notice.attach.filename,
      contentType: "message/rfc822",
      // RFC 2046 section 5.2.1: no base64 or quoted-printable for message/rfc822.
      encoding: "8bit",
      data: toBinaryString(notice.attach.message),
    });
  }
  return `${msg.asRaw()}\r\n`;
}
