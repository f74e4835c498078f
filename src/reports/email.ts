/**
 * The parts of a report email that can hold a report, as postal-mime reads the MIME tree
 * (boundaries, transfer encodings). Aggregate reports come as an attachment (RFC 7489 section
 * 7.2.1.1), TLS reports as a multipart/report part (RFC 8460 section 5.3), failure reports as a
 * message/feedback-report part (RFC 6591).
 */
import PostalMime, { type Attachment } from "postal-mime";

export interface ReportEmail {
  /** The message/feedback-report part and the original message or headers beside it. */
  feedback: { fields: Uint8Array; original: Uint8Array | null } | null;
  /** Attachments that may hold a report, in MIME order. */
  attachments: { filename: string | null; data: Uint8Array }[];
}

// Types reporters use for report attachments. The bytes are sniffed anyway; the list only keeps
// a signature, a logo or a text/plain explanation from being read as a report.
const REPORT_TYPES = new Set([
  "application/gzip",
  "application/x-gzip",
  "application/x-gzip-compressed",
  "application/zip",
  "application/x-zip",
  "application/x-zip-compressed",
  "application/octet-stream",
  "text/xml",
  "application/xml",
  "application/tlsrpt+gzip",
  "application/tlsrpt+json",
  "application/tlsrpt",
  "application/json",
]);
const REPORT_NAME = /\.(xml|gz|zip|json)$/i;
const ORIGINAL_TYPES = new Set(["message/rfc822", "text/rfc822-headers", "message/rfc822-headers"]);

function bytesOf(attachment: Attachment): Uint8Array {
  const content = attachment.content;
  return typeof content === "string" ? new TextEncoder().encode(content) : new Uint8Array(content);
}

export async function readReportEmail(raw: Uint8Array): Promise<ReportEmail> {
  // Every enclosed message stays an attachment: a failure report's original is evidence, and its
  // own attachments must never be taken for the report's.
  const email = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer", forceRfc822Attachments: true });
  const typed = email.attachments.map((a) => ({ attachment: a, type: a.mimeType.toLowerCase() }));
  const feedback = typed.find((a) => a.type === "message/feedback-report");
  if (feedback) {
    const original = typed.find((a) => ORIGINAL_TYPES.has(a.type));
    return {
      feedback: { fields: bytesOf(feedback.attachment), original: original ? bytesOf(original.attachment) : null },
      attachments: [],
    };
  }
  const attachments = typed
    .filter(({ attachment, type }) => {
      if (type.startsWith("message/")) return false;
      return REPORT_TYPES.has(type) || REPORT_NAME.test(attachment.filename ?? "");
    })
    .map(({ attachment }) => ({ filename: attachment.filename ?? null, data: bytesOf(attachment) }));
  return { feedback: null, attachments };
}
