/**
 * RFC 8058 one-click unsubscribe, served by the Worker at /lists/unsubscribe/{token}:
 * - POST (what gmail and outlook send, body `List-Unsubscribe=One-Click`): unsubscribes at once,
 *   no cookie, no redirect, no further interaction (RFC 8058 section 3.2);
 * - GET (a person clicking the link): a confirmation page whose button POSTs, because link
 *   scanners and prefetchers follow GET links and must not unsubscribe anyone (section 3.1).
 * The signed token (lists/unsubscribe-url.ts) is the only authority: no API credentials.
 */
import { Hono } from "hono";
import { unsubscribeMember } from "../../lists/unsubscribe-member";
import { verifyUnsubscribeToken } from "../../lists/unsubscribe-url";
import { findListByAddress } from "../../store/lists";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    },
  });
}

export const unsubscribe = new Hono<{ Bindings: Env }>()
  .get("/lists/unsubscribe/:token", async (c) => {
    const target = verifyUnsubscribeToken(c.env.LIST_SECRET, c.req.param("token"));
    if (!target) return page("Invalid link", "<p>This unsubscribe link is not valid.</p>", 404);
    return page(
      `Unsubscribe from ${target.list}`,
      `<p>Stop receiving ${escapeHtml(target.list)} at ${escapeHtml(target.member)}?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
  })
  .post("/lists/unsubscribe/:token", async (c) => {
    const target = verifyUnsubscribeToken(c.env.LIST_SECRET, c.req.param("token"));
    if (!target) return page("Invalid link", "<p>This unsubscribe link is not valid.</p>", 404);
    const list = await findListByAddress(c.env.DB, target.list);
    // Idempotent: already gone or already unsubscribed is the same success for the provider.
    if (list) await unsubscribeMember(c.env.DB, list.address, target.member, "one-click-unsubscribe");
    return page(
      "Unsubscribed",
      `<p>${escapeHtml(target.member)} will no longer receive ${escapeHtml(target.list)}.</p>`,
    );
  });
