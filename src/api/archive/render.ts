/**
 * One archived post as a reader sees it: header fields, the text, the HTML part sanitised, and
 * the attachments listed. Sanitising keeps an allow-list of elements and attributes (HTMLRewriter,
 * workerd's streaming HTML parser): no script, style, frame, form or event handler survives, and
 * nothing that loads remote content (img, link, src/srcset/background); links stay, marked
 * rel="nofollow noopener noreferrer". Public archives obfuscate every address.
 */
import PostalMime from "postal-mime";

const KEEP = new Set(
  "a abbr b blockquote br caption cite code dd del div dl dt em h1 h2 h3 h4 h5 h6 hr i ins kbd li ol p pre q s small span strong sub sup table tbody td tfoot th thead tr u ul".split(
    " ",
  ),
);
/** Dropped with everything inside them. */
const DROP = new Set(
  "script style iframe frame frameset object embed applet form input button select textarea img picture video audio source track svg math link meta base head title noscript template canvas".split(
    " ",
  ),
);
const KEEP_ATTRIBUTES = new Set(["href", "title", "colspan", "rowspan", "alt", "dir", "lang"]);

export async function sanitizeHtml(html: string): Promise<string> {
  const rewriter = new HTMLRewriter()
    .on("*", {
      element(element) {
        const tag = element.tagName.toLowerCase();
        if (DROP.has(tag)) {
          element.remove();
          return;
        }
        if (!KEEP.has(tag)) {
          element.removeAndKeepContent();
          return;
        }
        for (const attribute of [...element.attributes]) {
          const name = attribute[0] ?? "";
          if (!KEEP_ATTRIBUTES.has(name.toLowerCase())) element.removeAttribute(name);
        }
        if (tag === "a") {
          const href = element.getAttribute("href") ?? "";
          if (!/^(https?:|mailto:)/i.test(href.trim())) element.removeAttribute("href");
          element.setAttribute("rel", "nofollow noopener noreferrer");
        }
      },
      comments(comment) {
        comment.remove();
      },
    })
    .onDocument({
      doctype() {},
      comments(comment) {
        comment.remove();
      },
    });
  return rewriter.transform(new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } })).text();
}

/** alice@example.org → alice at example.org: readable by people, not harvested by address scrapers. */
export function obfuscateAddresses(text: string): string {
  return text.replace(/([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g, "$1 at $2");
}

export interface RenderedPost {
  subject: string | null;
  from: string | null;
  date: string | null;
  text: string | null;
  html: string | null;
  attachments: { index: number; filename: string | null; content_type: string; size: number }[];
}

export async function renderPost(raw: ArrayBuffer, obfuscate: boolean): Promise<RenderedPost> {
  const parsed = await PostalMime.parse(raw);
  const hide = (value: string | null | undefined) =>
    value == null ? null : obfuscate ? obfuscateAddresses(value) : value;
  const from = parsed.from
    ? parsed.from.name
      ? `${parsed.from.name} <${parsed.from.address}>`
      : parsed.from.address
    : null;
  const html = parsed.html ? await sanitizeHtml(parsed.html) : null;
  return {
    subject: parsed.subject ?? null,
    from: hide(from ?? null),
    date: parsed.date ?? null,
    text: hide(parsed.text ?? null),
    html: hide(html),
    attachments: parsed.attachments.map((a, index) => ({
      index,
      filename: a.filename,
      content_type: a.mimeType,
      size: typeof a.content === "string" ? a.content.length : a.content.byteLength,
    })),
  };
}

export async function attachmentOf(
  raw: ArrayBuffer,
  index: number,
): Promise<{ filename: string | null; contentType: string; content: Uint8Array } | null> {
  const parsed = await PostalMime.parse(raw);
  const attachment = parsed.attachments[index];
  if (!attachment) return null;
  const content =
    typeof attachment.content === "string"
      ? new TextEncoder().encode(attachment.content)
      : new Uint8Array(attachment.content);
  return { filename: attachment.filename, contentType: attachment.mimeType, content };
}
