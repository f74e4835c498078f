/**
 * The held post's HTML made inert for the preview frame: HTMLRewriter (workerd's streaming
 * parser) drops scripts, frames, forms, embedded objects, <base>, <meta> refreshes and <link>s,
 * every `on*` handler and `style` with url(), and every attribute that would load something remote
 * (src, srcset, background, poster, remote href on non-links). Defence in depth: the frame is also
 * sandboxed without allow-scripts and served with PREVIEW_CSP (default-src 'none').
 */

const DROP = "script, iframe, frame, frameset, object, embed, applet, form, base, meta, link, noscript, template";
const URL_ATTRIBUTES = [
  "src",
  "srcset",
  "background",
  "poster",
  "data",
  "action",
  "formaction",
  "xlink:href",
  "lowsrc",
  "dynsrc",
];

class Strip {
  element(element: Element) {
    for (const [name = "", value = ""] of [...element.attributes]) {
      const lower = name.toLowerCase();
      if (lower.startsWith("on")) element.removeAttribute(name);
      else if (URL_ATTRIBUTES.includes(lower) && !/^data:image\//i.test(value.trim())) element.removeAttribute(name);
      else if (lower === "style" && /url\s*\(|expression\s*\(|@import/i.test(value)) element.removeAttribute(name);
      else if (lower === "href" && /^\s*(javascript|data|vbscript):/i.test(value)) element.removeAttribute(name);
    }
    if (element.tagName === "a") {
      element.setAttribute("rel", "noopener noreferrer");
      element.setAttribute("target", "_blank");
    }
  }
}

class Remove {
  element(element: Element) {
    element.remove();
  }
}

class StripStyleImports {
  text(text: Text) {
    if (/url\s*\(|@import/i.test(text.text)) text.replace(text.text.replace(/url\s*\([^)]*\)|@import[^;]*;?/gi, ""));
  }
}

export async function sanitizeMailHtml(html: string): Promise<string> {
  const rewritten = new HTMLRewriter()
    .on(DROP, new Remove())
    .on("style", new StripStyleImports())
    .on("*", new Strip())
    .transform(new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } }));
  return rewritten.text();
}
