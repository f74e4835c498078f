/**
 * A digest as RFC 2046 section 5.1.5 multipart/digest: a table of contents as the first part
 * (text/plain, stated, since a digest part defaults to message/rfc822), then each post as a
 * message/rfc822 part, byte for byte as archived. The digest is from the list, carries its own
 * List-* fields (RFC 2369, RFC 2919) and the member's one-click unsubscribe (RFC 8058). Composing
 * only: signing and sending go through the list's usual path.
 */
import { encodeDisplayName } from "../../mail/header-fields";
import type { ListAddresses } from "../../mail/minted-address";

export interface DigestPost {
  raw: Uint8Array;
  subject: string | null;
  author: string | null;
}

export interface DigestInput {
  list: { address: string; name: string; listId: string };
  addresses: Pick<ListAddresses, "post" | "request" | "owner">;
  number: number;
  date: string;
  messageId: string;
  posts: DigestPost[];
  /**
   * The member's one-click URL. Omitted when the digest is composed once for every member: the
   * fan-out then prepends each member's List-Unsubscribe and DKIM signature (lists/fanout.ts).
   */
  unsubscribeUrl?: string;
}

const binary = (bytes: Uint8Array) => {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
};
const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, "?");

export function composeDigest(input: DigestInput): Uint8Array {
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
  const parts = [
    `--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Description: Table of contents\r\n\r\n${ascii(subject)}\r\n\r\n${toc}\r\n`,
    ...input.posts.map((post) => `--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n${binary(post.raw)}\r\n`),
  ];
  const text = `${header}\r\n\r\n${parts.join("")}--${boundary}--\r\n`;
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
