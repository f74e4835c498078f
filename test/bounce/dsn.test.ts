import PostalMime from "postal-mime";
import { describe, expect, inject, it } from "vitest";
import { buildDsn, statusFromReply } from "../../src/bounce/dsn";
import { parseDsn, parseFieldGroups } from "../../src/bounce/dsn-parse";
import { rfc5322Date } from "../../src/mail/date";
import { headerValue } from "../../src/mail/header-fields";
import { headerSectionText } from "../../src/mail/header-section";

async function conformance(path: string): Promise<string> {
  const { baseUrl } = inject("conformanceData");
  const response = await fetch(`${baseUrl}/${path}`);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.text();
}

const ORIGINAL_HEADERS = "From: a@example.org\r\nSubject: Hi\r\nMessage-ID: <m1@example.org>\r\n";

function build(recipients = [{ finalRecipient: "x@dest.example", status: "5.1.1", diagnosticCode: "550 5.1.1 no" }]) {
  return buildDsn({
    reportingMta: "mx.facteur.test",
    from: "mailer-daemon@facteur.test",
    to: "a@example.org",
    arrivalDate: new Date(Date.UTC(2026, 10, 25, 8, 0, 0)),
    originalHeaders: ORIGINAL_HEADERS,
    recipients,
    messageIdDomain: "facteur.test",
    now: new Date(Date.UTC(2026, 10, 25, 9, 30, 5)),
    boundary: "BOUNDARY",
    messageId: "<dsn1@facteur.test>",
  });
}

describe("buildDsn", () => {
  it("writes multipart/report with a human part, message/delivery-status and text/rfc822-headers", async () => {
    const raw = build([
      { finalRecipient: "x@dest.example", status: "5.1.1", diagnosticCode: "550 5.1.1 <x@dest.example>: no such user" },
      { finalRecipient: "y@dest.example", status: "5.4.7", diagnosticCode: "451 4.4.1 timeout (gave up)" },
    ]);
    expect(raw.split("\r\n\r\n")[0]).toBe(
      [
        "From: Mail Delivery System <mailer-daemon@facteur.test>",
        "To: <a@example.org>",
        "Subject: Undelivered Mail Returned to Sender",
        "Date: Wed, 25 Nov 2026 09:30:05 +0000",
        "Message-ID: <dsn1@facteur.test>",
        "In-Reply-To: <m1@example.org>",
        "References: <m1@example.org>",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
      ].join("\r\n"),
    );
    expect(raw).not.toMatch(/[^\r]\n/);
    const parsed = await PostalMime.parse(raw, { attachmentEncoding: "utf8" });
    expect(parsed.text).toContain("<x@dest.example>: 550 5.1.1");
    expect(parsed.attachments.map((a) => a.mimeType)).toEqual(["message/delivery-status", "text/rfc822-headers"]);
    const groups = parseFieldGroups(String(parsed.attachments[0]!.content));
    expect(Object.fromEntries(groups[0]!)).toEqual({
      "reporting-mta": "dns; mx.facteur.test",
      "arrival-date": "Wed, 25 Nov 2026 08:00:00 +0000",
    });
    expect(Object.fromEntries(groups[1]!)).toEqual({
      "final-recipient": "rfc822; x@dest.example",
      action: "failed",
      status: "5.1.1",
      "diagnostic-code": "smtp; 550 5.1.1 <x@dest.example>: no such user",
      "last-attempt-date": "Wed, 25 Nov 2026 09:30:05 +0000",
    });
    expect(groups[2]!.get("status")).toBe("5.4.7");
    expect(String(parsed.attachments[1]!.content)).toContain("Subject: Hi");
  });

  it("keeps a hostile reply from injecting fields, and caps huge original headers", () => {
    const raw = build([
      { finalRecipient: "x@dest.example", status: "5.0.0", diagnosticCode: "550 no\r\nAction: delivered" },
    ]);
    expect(raw).not.toMatch(/^Action: delivered/m);
    const huge = `X-Big: ${"a".repeat(100)}\r\n`.repeat(2000);
    expect(headerSectionText(huge).length).toBeLessThanOrEqual(64 * 1024 + 2);
  });

  it("uses utf-8 address types and message/global-delivery-status for internationalised addresses", () => {
    const raw = build([{ finalRecipient: "josé@exemple.fr", status: "5.1.1", diagnosticCode: "550 5.1.1 no" }]);
    expect(raw).toContain("Content-Type: message/global-delivery-status");
    expect(raw).toContain("Final-Recipient: utf-8; josé@exemple.fr");
  });

  it("round-trips through parseDsn", async () => {
    const report = await parseDsn(build());
    expect(report).toEqual({
      reportingMta: "mx.facteur.test",
      arrivalDate: "Wed, 25 Nov 2026 08:00:00 +0000",
      originalEnvelopeId: undefined,
      recipients: [
        {
          finalRecipient: "x@dest.example",
          originalRecipient: undefined,
          action: "failed",
          status: "5.1.1",
          diagnosticCode: "550 5.1.1 no",
          remoteMta: undefined,
        },
      ],
      originalMessageId: "<m1@example.org>",
      originalHeaders: ORIGINAL_HEADERS.replace(/\r\n$/, ""),
    });
  });
});

describe("helpers", () => {
  it("statusFromReply takes the server's enhanced code of the right class, else X.0.0", () => {
    expect(statusFromReply("550 5.1.1 <x>: no such user")).toBe("5.1.1");
    expect(statusFromReply("550-5.7.1 policy")).toBe("5.7.1");
    expect(statusFromReply("554 rejected")).toBe("5.0.0");
    expect(statusFromReply("451 4.3.0 later", "5")).toBe("5.0.0");
    expect(statusFromReply("451 4.3.0 later", "4")).toBe("4.3.0");
  });

  it("rfc5322Date and headerValue", () => {
    expect(rfc5322Date(new Date(Date.UTC(2026, 0, 5, 3, 4, 5)))).toBe("Mon, 5 Jan 2026 03:04:05 +0000");
    expect(headerValue("A: 1\r\nContent-Type: multipart/report;\r\n\treport-type=x\r\n", "content-type")).toBe(
      "multipart/report;\treport-type=x",
    );
  });
});

describe("parseDsn on independent reports", () => {
  it("reads RFC 3464's multi-recipient example (enmime corpus)", async () => {
    const report = await parseDsn(await conformance("mime-corpus/enmime/dsn/multi_recipient_dsn.raw"));
    expect(report!.reportingMta).toBe("cs.utk.edu");
    expect(report!.recipients.map((r) => [r.finalRecipient, r.action, r.status])).toEqual([
      ["arathib@vnet.ibm.com", "failed", "5.0.0"],
      ["johnh@hpnjld.njd.hp.com", "delayed", "4.0.0"],
      ["wsnell@sdcc13.ucsd.edu", "failed", "5.0.0"],
    ]);
    expect(report!.recipients[0]!.diagnosticCode).toBe("550 'arathib@vnet.IBM.COM' is not a registered gateway user");
    expect(report!.recipients[0]!.remoteMta).toBe("vnet.ibm.com");
  });

  it("reads a Postfix bounce (postal-mime corpus)", async () => {
    const report = await parseDsn(await conformance("mime-corpus/postal-mime/bounce.eml"));
    expect(report!.reportingMta).toBe("mailout.nyi.internal");
    expect(report!.recipients.length).toBeGreaterThan(0);
    expect(report!.recipients[0]!.action).toBe("failed");
    expect(report!.recipients[0]!.status).toMatch(/^5\.\d+\.\d+$/);
    expect(report!.originalHeaders).toContain("Return-Path:");
  });

  it("reads every DSN of the enmime corpus, and returns null for a message that is no DSN", async () => {
    for (const name of [
      "simple_dsn.raw",
      "simple_dsn_with_html.raw",
      "delayed_dsn.raw",
      "dsn_with_multipart_alternative.raw",
    ]) {
      const report = await parseDsn(await conformance(`mime-corpus/enmime/dsn/${name}`));
      expect(report, name).not.toBeNull();
      expect(report!.recipients.length, name).toBeGreaterThan(0);
      for (const r of report!.recipients) expect(r.status, name).toMatch(/^[245]\.\d+\.\d+$/);
    }
    expect(await parseDsn("From: a@b.example\r\nSubject: out of office\r\n\r\nI am away.\r\n")).toBeNull();
  });
});
