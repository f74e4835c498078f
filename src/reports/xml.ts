/**
 * XML for reports, through fast-xml-parser with every kind of entity expansion off: a document
 * with a DTD is refused before parsing (billion laughs, external entities), and only the five
 * predefined entities and character references (XML 1.0 section 4.6, 4.1) are decoded, by hand.
 * The result is a tree where every element is a list, so repeated elements keep their order.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { MAX_XML_DEPTH } from "./limits";
import { ReportRejected } from "./rejected";

/** One element: child elements by local name (namespace prefix removed), and its text. */
export interface XmlElement {
  [name: string]: XmlElement[] | string | undefined;
  "#text"?: string;
}

export interface XmlDocument {
  rootName: string;
  root: XmlElement;
  /** The namespace of the root element (RFC 9990 uses urn:ietf:params:xml:ns:dmarc-2.0); null if none. */
  namespace: string | null;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: true,
  isArray: () => true,
  alwaysCreateTextNode: true,
  maxNestedTags: MAX_XML_DEPTH,
});

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function decodeReferences(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== "#") return PREDEFINED[ref] ?? whole;
    const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** Text of an XML document in the encoding its declaration names (XML 1.0 section 4.3.3), UTF-8 by default. */
export function decodeXml(bytes: Uint8Array): string {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 200));
  const declared = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(
    head,
  )?.[1];
  let label = "utf-8";
  if (declared) {
    try {
      label = new TextDecoder(declared).encoding;
    } catch {
      throw new ReportRejected(`XML declares an unknown encoding ${declared}`);
    }
  }
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ReportRejected(`XML is not valid ${label}`);
  }
}

export function parseXml(text: string): XmlDocument {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new ReportRejected("XML document has a DTD / entity declarations");
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new ReportRejected(`XML not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  }
  let tree: Record<string, XmlElement[]>;
  try {
    tree = parser.parse(text) as Record<string, XmlElement[]>;
  } catch (error) {
    throw new ReportRejected(`XML not parsed: ${(error as Error).message}`);
  }
  const rootName = Object.keys(tree)[0];
  const root = rootName ? tree[rootName]?.[0] : undefined;
  if (!rootName || !root || typeof root !== "object") throw new ReportRejected("XML has no root element");
  return { rootName, root, namespace: rootNamespace(text) };
}

/** The namespace of the first element: its prefix's xmlns:p, or the default xmlns. */
function rootNamespace(text: string): string | null {
  const start = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)(\s[^>]*)?>/.exec(
    text.slice(0, 8192).replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ""),
  );
  if (!start) return null;
  const prefix = start[1] ? start[1].slice(0, -1) : null;
  const attributes = start[3] ?? "";
  const name = prefix ? `xmlns:${prefix}` : "xmlns";
  const match = new RegExp(`\\s${name.replace(".", "\\.")}\\s*=\\s*(["'])(.*?)\\1`).exec(attributes);
  return match ? decodeReferences(match[2] ?? "") : null;
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  const value = element?.[name];
  return Array.isArray(value) ? value : [];
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(element, name)[0];
}

/** All text inside an element, trimmed; "" for an empty element. */
export function textOf(element: XmlElement): string {
  let out = typeof element["#text"] === "string" ? element["#text"] : "";
  for (const [key, value] of Object.entries(element)) {
    if (key === "#text" || !Array.isArray(value)) continue;
    for (const inner of value) out += textOf(inner);
  }
  return decodeReferences(out).trim();
}

/** The text of the first child called `name`; null when there is none (absent ≠ empty). */
export function textAt(element: XmlElement | undefined, name: string): string | null {
  const found = child(element, name);
  return found === undefined ? null : textOf(found);
}
