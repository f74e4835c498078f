/**
 * The JSON a webhook receives for one accepted message, in the Standard Webhooks envelope
 * `{ type, timestamp, data }`. Parts come from postal-mime: text, html and attachment metadata
 * (never attachment content: it is in the raw message). The raw message itself is inline (base64)
 * under RAW_INLINE_MAX_BYTES, otherwise a time-limited signed link served by the Worker.
 */
import PostalMime from "postal-mime";
import type { WebhookJob } from "../core/webhook-job";

/** Raw messages up to this size travel inline; larger ones by link. */
export const RAW_INLINE_MAX_BYTES = 64 * 1024;
/** How long a raw-message link stays valid: a receiver that was down a day can still fetch it. */
export const RAW_LINK_TTL_SECONDS = 7 * 24 * 60 * 60;

export type RawPart = { size: number; base64: string } | { size: number; url: string; expires_at: string };

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function inlineRaw(raw: Uint8Array): RawPart {
  return { size: raw.byteLength, base64: toBase64(raw) };
}

type Address = { name?: string; address?: string; group?: Address[] };

function addresses(list: Address | Address[] | undefined): { name: string; address: string }[] {
  const items = list === undefined ? [] : Array.isArray(list) ? list : [list];
  return items.flatMap((a) =>
    a.group ? addresses(a.group) : a.address ? [{ name: a.name ?? "", address: a.address }] : [],
  );
}

export async function buildPayload(job: WebhookJob, raw: Uint8Array, rawPart: RawPart) {
  const email = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
  return {
    type: "email.received",
    timestamp: new Date(job.receivedAt).toISOString(),
    data: {
      id: job.messageLogId,
      alias: job.alias,
      envelope: { mail_from: job.envelope.mailFrom, rcpt_to: job.envelope.rcptTo },
      message_id: email.messageId ?? null,
      subject: email.subject ?? null,
      date: email.date ?? null,
      from: addresses(email.from as Address | undefined)[0] ?? null,
      to: addresses(email.to as Address[] | undefined),
      cc: addresses(email.cc as Address[] | undefined),
      reply_to: addresses(email.replyTo as Address[] | undefined),
      headers: email.headers.map((h) => ({ name: h.key, value: h.value })),
      text: email.text ?? null,
      html: email.html ?? null,
      attachments: email.attachments.map((a) => ({
        filename: a.filename ?? null,
        mime_type: a.mimeType,
        disposition: a.disposition ?? null,
        content_id: a.contentId ?? null,
        size: typeof a.content === "string" ? a.content.length : a.content.byteLength,
      })),
      auth: {
        spf: job.auth.spf,
        dkim: job.auth.dkim,
        dmarc: job.auth.dmarc,
        arc: job.auth.arc,
        authenticated: job.auth.authenticated,
        authentication_results: job.auth.header,
      },
      raw: rawPart,
    },
  };
}
