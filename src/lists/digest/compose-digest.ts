/**
 * A digest as RFC 2046 section 5.1.5 multipart/digest: a table of contents as the first part
 * (text/plain, stated, since a digest part defaults to message/rfc822), then each post as a
 * message/rfc822 part, byte for byte as archived. The digest is from the list, carries its own
 * List-* fields (RFC 2369, RFC 2919) and the member's one-click unsubscribe (RFC 8058). Composing
 * only: signing and sending go through the list's usual path.
 */
import { encodeDisplayName } from "../../mail/header-fields";
import type { ListAddresses } from "../../mail/minted-address";

/** A post's table-of-contents line. */
export interface DigestEntry {
  subject: string | null;
  author: string | null;
}

export interface DigestPost extends DigestEntry {
  raw: Uint8Array;
}

export interface DigestInput {
  list: { address: string; name: string; listId: string };
  addresses: Pick<ListAddresses, "post" | "request" | "owner">;
  number: number;
  date: string;
  messageId: string;
  posts: DigestEntry[];
  /**
   * The member's one-click URL. Omitted when the digest is composed once for every member: the
   * fan-out then prepends each member's List-Unsubscribe and DKIM signature (lists/fanout.ts).
   */
  unsubscribeUrl?: string;
}

const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, "?");
const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** Everything of a digest but the posts' bytes: its header and TOC, and what goes around each post. */
interface DigestFrame {
  head: Uint8Array;
  partHead: Uint8Array;
  partTail: Uint8Array;
  end: Uint8Array;
}

function digestFrame(input: DigestInput): DigestFrame {
  const boundary = `facteur-digest-${input.messageId.replace(/[^A-Za-z0-9]/g, "").slice(0, 40)}`;
  const toc = input.posts
    .map(
      (post, i) =>
        `${String(i + 1).padStart(3)}. ${ascii(post.subject ?? "(no subject)")}\r\n     ${ascii(post.author ?? "")}`,
    )
    .join("\r\n");
  const subject = `${input.list.name} digest, number ${input.number}`;
  const header = [
    `From: ${encodeDisplayName(input.list.name)} <${input.list.address}>`,
    `To: ${input.list.address}`,
    `Subject: ${ascii(subject)}`,
    `Date: ${input.date}`,
    `Message-ID: <${input.messageId}>`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/digest; boundary="${boundary}"`,
    `List-Id: ${encodeDisplayName(input.list.name)} <${input.list.listId}>`,
    `List-Post: <mailto:${input.addresses.post}>`,
    `List-Help: <mailto:${input.addresses.request}?subject=help>`,
    `List-Subscribe: <mailto:${input.addresses.request}?subject=subscribe>`,
    `List-Owner: <mailto:${input.addresses.owner}>`,
    ...(input.unsubscribeUrl ? [`List-Unsubscribe: <${input.unsubscribeUrl}>`] : []),
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    "Precedence: list",
    "Auto-Submitted: auto-generated",
  ].join("\r\n");
  return {
    head: bytes(
      `${header}\r\n\r\n--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Description: Table of contents\r\n\r\n${ascii(subject)}\r\n\r\n${toc}\r\n`,
    ),
    partHead: bytes(`--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n`),
    partTail: bytes("\r\n"),
    end: bytes(`--${boundary}--\r\n`),
  };
}

/**
 * Composes the digest reading its posts one at a time: the buffer is allocated once from the
 * posts' sizes, so the Worker holds the digest (bounded by the list's digest cap) plus the one
 * post being copied, never every post of the period twice over.
 */
export async function assembleDigest(
  input: DigestInput,
  sizes: readonly number[],
  read: (index: number) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const frame = digestFrame(input);
  const around = frame.partHead.length + frame.partTail.length;
  const total = frame.head.length + sizes.reduce((sum, size) => sum + size + around, 0) + frame.end.length;
  const out = new Uint8Array(total);
  out.set(frame.head, 0);
  let at = frame.head.length;
  for (const [i, size] of sizes.entries()) {
    const raw = await read(i);
    if (raw.length !== size)
      throw new Error(`digest ${input.messageId}: post ${i + 1} is ${raw.length} bytes, not ${size}`);
    out.set(frame.partHead, at);
    out.set(raw, at + frame.partHead.length);
    out.set(frame.partTail, at + frame.partHead.length + size);
    at += size + around;
  }
  out.set(frame.end, at);
  return out;
}

/** The digest of posts already in memory. */
export function composeDigest(input: Omit<DigestInput, "posts"> & { posts: DigestPost[] }): Promise<Uint8Array> {
  const posts: DigestPost[] = input.posts;
  return assembleDigest(
    input,
    posts.map((post) => post.raw.length),
    async (i) => posts[i]!.raw,
  );
}
