import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { fromBinaryString } from "../../src/mail/bytes";
import { composeNotice } from "../../src/mail/notice";

const held = new TextEncoder().encode("From: a@b.test\r\nSubject: held\r\n\r\nbody \u00e9\r\n");

function notice(attach = false) {
  return composeNotice({
    from: { name: "Équipe list", address: "team-owner@lists.test" },
    to: "member@example.test",
    subject: "Bienvenue à l'équipe",
    text: "Line one\nLine deux: é\n",
    date: new Date(Date.UTC(2026, 10, 25, 9, 0, 0)),
    messageId: "<n1@lists.test>",
    replyTo: "team-confirm+tok@lists.test",
    inReplyTo: "<orig@example.test>",
    autoSubmitted: "auto-replied",
    fields: { "List-Id": '"Team" <team.lists.test>' },
    ...(attach ? { attach: { filename: "held-post.eml", message: held } } : {}),
  });
}

describe("composeNotice", () => {
  it("writes CRLF only, and the fields a notice needs", async () => {
    const raw = notice();
    expect(raw).not.toMatch(/[^\r]\n/);
    const head = raw.slice(0, raw.indexOf("\r\n\r\n"));
    expect(head).toContain("Date: Wed, 25 Nov 2026 09:00:00 +0000");
    expect(head).toContain("Message-ID: <n1@lists.test>");
    expect(head).toContain("Auto-Submitted: auto-replied");
    expect(head).toContain("In-Reply-To: <orig@example.test>");
    expect(head).toContain('List-Id: "Team" <team.lists.test>');
    expect(head).toContain("MIME-Version: 1.0");
    // Every header byte is ASCII: non-ASCII text went into RFC 2047 encoded words.
    expect(head).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    const parsed = await PostalMime.parse(fromBinaryString(raw));
    expect(parsed.subject).toBe("Bienvenue à l'équipe");
    expect(parsed.from).toEqual({ name: "Équipe list", address: "team-owner@lists.test" });
    expect(parsed.to).toEqual([{ name: "", address: "member@example.test" }]);
    expect(parsed.replyTo).toEqual([{ name: "", address: "team-confirm+tok@lists.test" }]);
    expect(parsed.text?.trimEnd()).toBe("Line one\nLine deux: é");
  });

  it("attaches a held message byte for byte as message/rfc822", async () => {
    const raw = notice(true);
    const parsed = await PostalMime.parse(fromBinaryString(raw));
    expect(parsed.text?.trimEnd()).toBe("Line one\nLine deux: é");
    expect(parsed.attachments.map((a) => a.mimeType)).toEqual(["message/rfc822"]);
    // RFC 2046 section 5.1.1: the CRLF before a boundary delimiter belongs to the delimiter.
    const boundary = /boundary=("?)([^"\r\n;]+)\1/.exec(raw)![2]!;
    const part = raw.slice(raw.indexOf("Content-Type: message/rfc822"), raw.indexOf(`\r\n--${boundary}--`));
    expect(part).toContain("Content-Transfer-Encoding: 8bit");
    expect(fromBinaryString(part.slice(part.indexOf("\r\n\r\n") + 4))).toEqual(held);
  });
});
