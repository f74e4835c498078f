/**
 * The web interface's page components: the HTML they render for given data. Mail content
 * (subjects, From, member names) is hostile input and must come out as text, never as markup.
 */
import { jsx } from "hono/jsx";
import { describe, expect, it } from "vitest";
import { HourlyChart, RateChart } from "../../src/web/charts";
import { Dashboard } from "../../src/web/pages/dashboard";
import { HeldQueue } from "../../src/web/pages/held";
import { InboundLog } from "../../src/web/pages/logs";
import { MemberTable, parseMemberLines } from "../../src/web/pages/members";
import { TokenPage } from "../../src/web/pages/tokens-users";
import { sanitizeMailHtml } from "../../src/web/sanitize-html";
import { SignInPage } from "../../src/web/sign-in";

const XSS = "<img src=x onerror=alert(1)>";

// biome-ignore lint/suspicious/noExplicitAny: components of any props
async function html(component: (props: any) => unknown, props: Record<string, unknown>): Promise<string> {
  return String(await jsx(component as never, props).toString());
}

describe("page components", () => {
  it("render a hostile subject and author in the held queue as text", async () => {
    const out = await html(HeldQueue, {
      list: "team@example.test",
      csrf: "tok",
      page: {
        items: [{ id: "h1", subject: XSS, author: `"${XSS}" <a@b.example>`, reason: "not a member", created_at: 0 }],
        next_cursor: null,
      },
    });
    expect(out).not.toContain("<img");
    expect(out).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(out).toContain('name="_csrf" value="tok"');
  });

  it("render a hostile subject and From in the inbound log as text", async () => {
    const out = await html(InboundLog, {
      rcpt: "",
      decision: "",
      page: {
        items: [
          {
            id: "m1",
            received_at: 0,
            mail_from: "a@b.example",
            rcpt_to: "team@example.test",
            from_header: XSS,
            subject: XSS,
            auth: { dmarc: { result: "pass" } },
            decision: "held",
            rule: "membership",
            destinations: [],
          },
        ],
        next_cursor: "abc",
      },
    });
    expect(out).not.toContain("<img");
    expect(out).toContain("dmarc=pass");
    expect(out).toContain("membership");
    expect(out).toContain("cursor=abc");
  });

  it("render hostile member names as text, and an empty state", async () => {
    const out = await html(MemberTable, {
      list: "team@example.test",
      q: "",
      csrf: "t",
      page: {
        items: [{ address: "m@x.example", display_name: XSS, role: "member", status: "active", bounce_score: 0 }],
      },
    });
    expect(out).not.toContain("<img");
    const empty = await html(MemberTable, { list: "l@x.example", q: "", csrf: "t", page: { items: [] } });
    expect(empty).toContain("No members yet");
  });

  it("show a new token once, with a copy button", async () => {
    const out = await html(TokenPage, {
      csrf: "t",
      page: { items: [] },
      created: { name: "ci", token: "fct_secret" },
    });
    expect(out).toContain('id="new-token">fct_secret<');
    expect(out).toContain('data-copy="new-token"');
    expect(out).toContain("No API tokens yet");
  });

  it("put a sign-in error beside its field", async () => {
    const out = await html(SignInPage, { csrf: "t", tokenError: "That did not work" });
    expect(out).toMatch(/id="token-error"[^>]*>That did not work/);
    expect(out).toContain('aria-describedby="token-help token-error"');
  });

  it("draw the dashboard's charts from the counts", async () => {
    const now = Date.UTC(2026, 0, 1, 12, 30);
    const hour = Date.UTC(2026, 0, 1, 12);
    const out = await html(Dashboard, {
      now,
      stats: {
        inboundByHour: [
          { hour, decision: "held", count: 3 },
          { hour, decision: "rejected", count: 1 },
        ],
        deliveriesByStatus: [{ status: "sent", count: 7 }],
        dmarc: { pass: 1, total: 4 },
        rejectReasons: [{ reason: XSS, count: 1 }],
      },
    });
    expect(out).toContain('data-decision="held" data-count="3"');
    expect(out).toContain('data-label="sent" data-count="7"');
    expect(out).toContain("25%");
    expect(out).not.toContain("<img");
    expect(out).not.toContain("style=");
    const none = await html(HourlyChart, { rows: [], now });
    expect(none).toContain("0 inbound messages");
    expect(await html(RateChart, { pass: 0, total: 0 })).toContain("0%");
  });
});

describe("member import lines", () => {
  it("parse address, name and role, skip a header, and reject bad lines by number", () => {
    const { valid, invalid } = parseMemberLines(
      "email,name\na@x.example,A\nnope\nb@x.example,,owner\nc@x.example,,boss\n",
    );
    expect(valid.map((v) => v.member)).toEqual([
      { address: "a@x.example", display_name: "A" },
      { address: "b@x.example", role: "owner" },
    ]);
    expect(invalid.map((i) => [i.line, i.outcome])).toEqual([
      [3, "invalid"],
      [5, "invalid"],
    ]);
  });
});

describe("held post HTML for the preview frame", () => {
  it("drops scripts, handlers and remote content, keeps text and data: images", async () => {
    const out = await sanitizeMailHtml(
      `<p onclick="x()">Hi <b>there</b><script>alert(1)</script><img src="https://t.example/p.png" onerror="alert(2)"><img src="data:image/png;base64,AA=="><a href="javascript:alert(3)">l</a><iframe src="https://e.example"></iframe><div style="background:url(https://t.example/b)">s</div></p>`,
    );
    expect(out).toContain("<b>there</b>");
    expect(out).not.toMatch(/script|onerror|onclick|https:\/\/t\.example|javascript:|iframe/);
    expect(out).toContain('src="data:image/png;base64,AA=="');
  });
});
