import { randomToken } from "../../core/ids";
import { concatBytes } from "../../mail/bytes";
import { encodeDisplayName } from "../../mail/header-fields";
import { getField, type MessageParts, removeFields, setField } from "../../mail/message-parts";
import type { Handler, TransformContext } from "../types";

/**
 * Applies the DMARC rule's decision (lists/rules/dmarc-policy.ts):
 * - munge: From becomes `"Alice via Team" <team@d>`; the author moves to X-Original-From and, when
 *   the message names no other reply address, to Reply-To (so replies still reach them);
 * - wrap: the post travels untouched as a message/rfc822 attachment (RFC 2046 section 5.2.1) of a
 *   new message from the list, so the author's own signature still verifies inside it;
 * - none: nothing.
 * Either rewrite makes the From domain the list domain, which the list's DKIM signature aligns.
 */
export const dmarcMitigation: Handler = {
  name: "dmarc-mitigation",
  description: "rewrite From (munge) or wrap the post as message/rfc822, as the DMARC rule decided",
  process(context) {
    if (context.mitigation.action === "none") return;
    const from = getField(context.message, "from");
    const originalFrom = from
      ? from.line.slice(from.line.indexOf(":") + 1).replace(/^[ \t]+/, "")
      : `<${context.author.address}>`;
    const via = `${context.author.display || context.author.address.slice(0, context.author.address.indexOf("@"))} via ${context.list.name}`;
    const listFrom = `${encodeDisplayName(via)} <${context.addresses.post}>`;
    if (context.mitigation.action === "wrap") {
      context.message = wrap(context, listFrom, originalFrom);
    } else {
      setField(context.message, "From", listFrom);
      setField(context.message, "X-Original-From", originalFrom);
      if (!getField(context.message, "reply-to")) setField(context.message, "Reply-To", originalFrom);
      // Sender (RFC 5322 section 3.6.2) named the author's agent; with the list as author it is wrong.
      removeFields(context.message, (key) => key === "sender");
    }
    context.notes.push(`${context.mitigation.action}: ${context.mitigation.reason}`);
  },
};

/** Outer fields copied from the post: addressing, threading and everything the list added. */
const OUTER_KEEP = /^(?:to|cc|subject|date|message-id|in-reply-to|references|reply-to|list-.*|precedence)$/;

function wrap(context: TransformContext, listFrom: string, originalFrom: string): MessageParts {
  const boundary = `facteur-${randomToken(12)}`;
  const outer: MessageParts = {
    fields: context.message.fields.filter((f) => OUTER_KEEP.test(f.key)),
    body: new Uint8Array(),
  };
  setField(outer, "From", listFrom);
  setField(outer, "X-Original-From", originalFrom);
  if (!getField(outer, "reply-to")) setField(outer, "Reply-To", originalFrom);
  setField(outer, "MIME-Version", "1.0");
  setField(outer, "Content-Type", `multipart/mixed; boundary="${boundary}"`);
  const note =
    `The message from ${context.author.address} is attached: its domain's DMARC policy does not\r\n` +
    `allow ${context.list.name} to send it on under the author's address.\r\n`;
  const head =
    `This is a multi-part message in MIME format.\r\n\r\n--${boundary}\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${note}\r\n` +
    `--${boundary}\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const enc = new TextEncoder();
  const a = enc.encode(head);
  const c = enc.encode(tail);
  // The inner message is the post exactly as received (RFC 2046 section 5.2.1 allows 8-bit
  // content in message/rfc822 only with 8bit/binary transfer, which is what it arrived with).
  const innerBytes = context.original;
  if (innerBytes.some((b) => b > 0x7f)) setField(outer, "Content-Transfer-Encoding", "8bit");
  outer.body = concatBytes([a, innerBytes, c]);
  return outer;
}
