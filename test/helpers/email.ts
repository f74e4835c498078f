/**
 * A ForwardableEmailMessage as Email Routing hands it to email(): a raw stream, the envelope, and
 * forward()/setReject() that record what the Worker did. Nothing else in the Worker is faked.
 */
export interface Captured {
  message: ForwardableEmailMessage;
  forwards: { to: string; headers: Record<string, string> }[];
  /** message.reply() calls: EmailMessage exposes its envelope only, not its body. */
  replies: { from: string; to: string }[];
  rejected: string | undefined;
}

export function emailMessage(
  raw: string | Uint8Array,
  envelope: { from: string; to: string },
  options: { refuseForward?: (to: string) => boolean; chunkSize?: number; refuseReply?: boolean } = {},
): Captured {
  const bytes = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  const captured: Captured = { forwards: [], replies: [], rejected: undefined } as unknown as Captured;
  const chunk = options.chunkSize ?? 64 * 1024;
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
  captured.message = {
    from: envelope.from,
    to: envelope.to,
    raw: stream,
    rawSize: bytes.byteLength,
    headers: new Headers(),
    setReject(reason: string) {
      captured.rejected = reason;
    },
    async forward(to: string, headers?: Headers) {
      if (options.refuseForward?.(to)) throw new Error(`destination address not verified: ${to}`);
      captured.forwards.push({ to, headers: Object.fromEntries(headers?.entries() ?? []) });
      return { messageId: `<fwd-${captured.forwards.length}@test>` } as unknown as EmailSendResult;
    },
    async reply(reply: EmailMessage) {
      if (options.refuseReply) throw new Error("reply not allowed");
      if (captured.replies.length > 0) throw new Error("only one reply per message");
      captured.replies.push({ from: reply.from, to: reply.to });
      return { messageId: `<reply-${captured.replies.length}@test>` } as unknown as EmailSendResult;
    },
  } as ForwardableEmailMessage;
  return captured;
}

/** A plain RFC 5322 message with CRLF line endings. */
export function mail(fields: Record<string, string>, body = "Hello.\r\n"): string {
  const defaults: Record<string, string> = {
    Date: "Wed, 25 Nov 2026 09:00:00 +0000",
    "Message-ID": `<${crypto.randomUUID()}@test>`,
  };
  const all = { ...defaults, ...fields };
  return `${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n")}\r\n\r\n${body}`;
}
