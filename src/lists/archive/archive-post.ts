/**
 * Archives one distributed post: the transformed copy before per-member personalisation (no
 * member's List-Unsubscribe, no VERP) in R2 once, its metadata and text in D1. The author is the
 * From as distributed, after DMARC mitigation. A reply joins the thread of the newest archived
 * post its In-Reply-To or References names; anything else starts a thread.
 */
import PostalMime from "postal-mime";
import { fieldValue } from "../../mail/header-fields";
import { type MessageParts, splitMessage } from "../../mail/message-parts";
import { findThreadOf, insertArchivedPost } from "../../store/archive";
import { archiveKey } from "./archive-urls";

/** The text indexed for search is capped: FTS5 rows stay small, and a post's start finds it. */
const MAX_INDEXED_TEXT = 64 * 1024;

function header(parts: MessageParts, name: string): string | null {
  const field = parts.fields.find((f) => f.key === name.toLowerCase());
  return field ? fieldValue(field).trim() : null;
}

/** Message-IDs in a field (RFC 5322 section 3.6.4 msg-id), without their angle brackets. */
export function messageIds(value: string | null): string[] {
  return [...(value ?? "").matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] ?? "").filter(Boolean);
}

export async function archivePost(
  env: Pick<Env, "DB" | "MAIL">,
  input: { listAddress: string; postId: string; raw: Uint8Array; now: number },
): Promise<boolean> {
  const parts = splitMessage(input.raw);
  const key = archiveKey(input.listAddress, input.postId);
  await env.MAIL.put(key, input.raw, {
    httpMetadata: { contentType: "message/rfc822" },
    customMetadata: { list: input.listAddress, post: input.postId },
  });
  const inReplyTo = header(parts, "In-Reply-To");
  const references = header(parts, "References");
  const parents = [...messageIds(references), ...messageIds(inReplyTo)];
  const threadId = (await findThreadOf(env.DB, input.listAddress, parents)) ?? input.postId;
  let text = "";
  let subject = header(parts, "Subject");
  let author = header(parts, "From");
  try {
    const parsed = await PostalMime.parse(input.raw);
    text = (parsed.text ?? "").slice(0, MAX_INDEXED_TEXT);
    subject = parsed.subject ?? subject;
    if (parsed.from)
      author = parsed.from.name ? `${parsed.from.name} <${parsed.from.address}>` : (parsed.from.address ?? author);
  } catch {
    // An unparsable body is still archived, searchable by its header fields.
  }
  return insertArchivedPost(
    env.DB,
    {
      id: input.postId,
      listAddress: input.listAddress,
      r2Key: key,
      month: new Date(input.now).toISOString().slice(0, 7),
      threadId,
      messageId: messageIds(header(parts, "Message-ID"))[0] ?? null,
      inReplyTo: messageIds(inReplyTo)[0] ?? null,
      references,
      subject,
      author,
      dateHeader: header(parts, "Date"),
      size: input.raw.length,
      archivedAt: input.now,
    },
    text,
  );
}
