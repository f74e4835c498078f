/**
 * Page components of the failed/deferred view, the message detail, the DNS check and the send-as
 * form: the HTML they render for given data. Hostile mail content comes out as inert text.
 */
import { jsx } from "hono/jsx";
import { describe, expect, it } from "vitest";
import type { User } from "../../src/store/users";
import { SendAsForm } from "../../src/web/pages/account";
import { ProblemsPage } from "../../src/web/pages/delivery-problems";
import { DnsCheck } from "../../src/web/pages/dns-check";
import { InboundLog, isoFromLocal } from "../../src/web/pages/logs";
import { AttemptTable, MessageDetail } from "../../src/web/pages/message-detail";

const XSS = "<img src=x onerror=alert(1)>";
const INERT = "&lt;img src=x onerror=alert(1)&gt;";

// biome-ignore lint/suspicious/noExplicitAny: components of any props
async function html(component: (props: any) => unknown, props: Record<string, unknown>): Promise<string> {
  return String(await jsx(component as never, props).toString());
}

const delivery = (id: string, status: string) => ({
  id,
  message: "m1",
  rcpt: `${id}@dest.example`,
  status,
  attempts: 3,
  last_reply: `451 ${XSS}`,
  next_attempt_at: null,
  created_at: "2026-11-30T10:00:00.000Z",
});

describe("new page components", () => {
  it("offer retry for deferred and re-send for failed deliveries, each a CSRF form, replies inert", async () => {
    const out = await html(ProblemsPage, {
      deferred: { items: [delivery("d1", "deferred")], next_cursor: null },
      relayErrors: { items: [], next_cursor: null },
      failed: { items: [delivery("f1", "failed")], next_cursor: null },
      csrf: "tok",
    });
    expect(out).toContain('action="/admin/deliveries/d1/retry"');
    expect(out).toContain('action="/admin/deliveries/f1/resend"');
    expect(out).not.toContain('action="/admin/deliveries/d1/resend"');
    // One per row's form and one per table's bulk form.
    expect(out.match(/name="_csrf" value="tok"/g)).toHaveLength(4);
    expect(out).toContain("None.");
    expect(out).not.toContain("<img");
    expect(out).toContain(INERT);
  });

  it("select several deferred (or failed) deliveries for one bulk retry (or re-send) form", async () => {
    const out = await html(ProblemsPage, {
      deferred: { items: [delivery("d1", "deferred"), delivery("d2", "deferred")], next_cursor: null },
      relayErrors: { items: [], next_cursor: null },
      failed: { items: [delivery("f1", "failed")], next_cursor: null },
      csrf: "tok",
    });
    expect(out).toContain('<form id="deferred-bulk" method="post" action="/admin/deliveries/bulk/retry">');
    expect(out).toContain('<form id="failed-bulk" method="post" action="/admin/deliveries/bulk/resend">');
    expect(out).toContain('<input type="checkbox" name="id" value="d1" form="deferred-bulk"');
    expect(out).toContain('<input type="checkbox" name="id" value="d2" form="deferred-bulk"');
    expect(out).toContain('<input type="checkbox" name="id" value="f1" form="failed-bulk"');
    expect(out).toContain("Retry selected now");
    expect(out).toContain("Re-send selected");
    expect(out).not.toContain("relay-errors-bulk");
  });

  it("list every attempt with its reply, enhanced code and relay, hostile replies inert, or say there is none", async () => {
    const out = await html(AttemptTable, {
      deliveries: [delivery("d1", "sent")],
      attempts: [
        {
          delivery: "d1",
          attempt: 1,
          at: "2026-11-30T10:00:00.000Z",
          status: "deferred",
          reply: `451 4.3.0 ${XSS}`,
          enhanced_code: "4.3.0",
          relay: "smtp",
        },
        {
          delivery: "d1",
          attempt: 2,
          at: "2026-11-30T10:05:00.000Z",
          status: "sent",
          reply: "250 2.0.0 Ok",
          enhanced_code: "2.0.0",
          relay: "smtp",
        },
      ],
    });
    expect(out.match(/<tr>/g)).toHaveLength(3);
    expect(out).toContain("<td>d1@dest.example</td><td>1</td><td>2026-11-30 10:00:00</td><td>deferred</td>");
    expect(out).toContain('<td class="ok">sent</td><td class="mono">250 2.0.0 Ok</td><td class="mono">2.0.0</td>');
    expect(out).not.toContain("<img");
    expect(out).toContain(INERT);
    expect(await html(AttemptTable, { deliveries: [], attempts: [] })).toContain("No delivery attempt yet.");
  });

  it("show a message's authentication results, deciding rule, SMTP reply and deliveries, hostile text inert", async () => {
    const out = await html(MessageDetail, {
      message: {
        id: "m1",
        received_at: "2026-11-30T10:00:00.000Z",
        mail_from: "a@b.example",
        rcpt_to: "team@example.test",
        from_header: XSS,
        subject: XSS,
        message_id: "<x@b.example>",
        size: 120,
        auth: { dkim: { result: "fail", comment: XSS }, dmarc: { result: "pass" } },
        decision: "held",
        rule: "list-membership",
        smtp_reply: "250 2.0.0 held",
        reason: "not a member",
        destinations: [],
      },
      deliveries: { items: [delivery("d1", "deferred")], next_cursor: null },
    });
    expect(out).not.toContain("<img");
    expect(out.split(INERT).length - 1).toBe(4); // From, subject, DKIM comment, last reply
    expect(out).toContain("list-membership");
    expect(out).toContain("250 2.0.0 held");
    expect(out).toMatch(/<th scope="row">DMARC<\/th><td class="ok">pass<\/td>/);
    expect(out).toContain("d1@dest.example");
  });

  it("list each DNS finding with its fix and the record to copy, hostile text inert", async () => {
    const out = await html(DnsCheck, {
      report: {
        domain: "example.test",
        checked_at: "2026-11-30T10:00:00.000Z",
        healthy: false,
        passed: ["mx"],
        findings: [
          {
            check: "spf",
            severity: "error",
            problem: `no SPF record ${XSS}`,
            fix: "Publish this TXT record",
            record: { type: "TXT", name: "example.test", content: "v=spf1 include:_spf.mx.cloudflare.net ~all" },
          },
        ],
      },
    });
    expect(out).toContain('data-check="spf"');
    expect(out).toContain("example.test TXT v=spf1 include:_spf.mx.cloudflare.net ~all");
    expect(out).toContain('data-copy="fix-0"');
    expect(out).toContain("Some records need fixing");
    expect(out).not.toContain("<img");
    expect(out).toContain(INERT);
  });

  it("offer the user's aliases as From, show the API's errors beside their fields, values inert", async () => {
    const user = { name: "ann", aliases: ["ann@example.test", "sales@example.test"], mailboxes: [] } as unknown as User;
    const out = await html(SendAsForm, {
      user,
      csrf: "tok",
      form: {
        values: { from: "sales@example.test", to: XSS, subject: XSS, text: XSS },
        errors: { to: "not a mail address" },
        problem: "to.0: not a mail address",
      },
    });
    expect(out).toContain('<option value="sales@example.test" selected="">');
    expect(out).toMatch(/id="to-error"[^>]*>not a mail address/);
    expect(out).toContain('name="_csrf" value="tok"');
    expect(out).not.toContain("<img");
    const none = await html(SendAsForm, { user: { ...user, aliases: [] }, csrf: "tok" });
    expect(none).toContain("You own no alias to send as.");
  });

  it("keep the log's text and time filters in the form and the pager, and link each row to its detail", async () => {
    const out = await html(InboundLog, {
      rcpt: "",
      decision: "",
      q: XSS,
      since: "2026-11-30T10:00",
      until: "",
      page: { items: [{ id: "m1", subject: "hi", rcpt_to: "a@b", decision: "forwarded" }], next_cursor: "n1" },
    });
    expect(out).toContain('href="/admin/logs/m1"');
    expect(out).toContain('value="2026-11-30T10:00"');
    expect(out).toContain("since=2026-11-30T10%3A00");
    expect(out).not.toContain("<img");
    expect(isoFromLocal("2026-11-30T10:00")).toBe("2026-11-30T10:00:00Z");
    expect(isoFromLocal("yesterday")).toBe("");
  });
});
