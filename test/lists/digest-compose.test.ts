/** A digest of three posts is multipart/digest: a table of contents first, then the three posts as message/rfc822. */
import PostalMime from "postal-mime";
import { expect, it } from "vitest";
import { composeDigest } from "../../src/lists/digest/compose-digest";

const post = (n: number) =>
  new TextEncoder().encode(
    `From: Author ${n} <a${n}@example.org>\r\nSubject: Post ${n}\r\nMessage-ID: <post${n}@example.org>\r\n\r\nBody of post ${n}\r\nFrom the list\r\n`,
  );

it("composes a 3-post multipart/digest with a TOC, list fields and one-click unsubscribe", async () => {
  const raw = await composeDigest({
    list: { address: "team@d.example", name: "Team", listId: "team.d.example" },
    addresses: { post: "team@d.example", request: "team-request@d.example", owner: "team-owner@d.example" },
    number: 7,
    date: "Tue, 01 Dec 2026 10:00:00 +0000",
    messageId: "digest-7@d.example",
    posts: [1, 2, 3].map((n) => ({ raw: post(n), subject: `Post ${n}`, author: `Author ${n} <a${n}@example.org>` })),
    unsubscribeUrl: "https://lists.example/lists/unsubscribe/tok",
  });
  const text = new TextDecoder().decode(raw);
  expect(text).toMatch(/^Content-Type: multipart\/digest; boundary="/m);
  expect(text).toContain("List-Unsubscribe: <https://lists.example/lists/unsubscribe/tok>");
  expect(text).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
  const parsed = await PostalMime.parse(raw, { forceRfc822Attachments: true });
  expect(parsed.subject).toBe("Team digest, number 7");
  expect(parsed.text).toContain("  1. Post 1");
  expect(parsed.text).toContain("  3. Post 3");
  const inner = parsed.attachments.filter((a) => a.mimeType === "message/rfc822");
  expect(inner).toHaveLength(3);
  for (const [i, attachment] of inner.entries()) {
    const message = await PostalMime.parse(attachment.content as ArrayBuffer);
    expect(message.messageId).toBe(`<post${i + 1}@example.org>`);
    expect(message.text).toContain(`Body of post ${i + 1}`);
  }
});
