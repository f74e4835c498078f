/**
 * SPF records (RFC 7208): the syntax of each term (section 4.6.1, 5, 6) and the number of DNS
 * lookups an evaluation costs, following include: and redirect= (section 4.6.4: more than 10 is a
 * permerror, and receivers treat the mail as unauthenticated).
 */
import { ipv4ToBytes, ipv6ToBytes } from "../dns/ip-text";
import type { Resolver } from "../dns/types";
import { txtRecords, versioned } from "./lookup";

export const MAX_SPF_LOOKUPS = 10;
/** include: chains deeper than this are not followed (the count is already far past the limit). */
const MAX_INCLUDE_DEPTH = 10;

const MECHANISM =
  /^[+\-~?]?(all|include:.+|a(?::.+)?(?:\/\d+){0,2}|mx(?::.+)?(?:\/\d+){0,2}|ptr(?::.+)?|ip4:[\d.]+(?:\/\d+)?|ip6:[\da-f:.]+(?:\/\d+)?|exists:.+)$/i;
const MODIFIER = /^[a-z][a-z0-9_.-]*=.*$/i;

export interface SpfTerm {
  text: string;
  /** Which lookup-counting kind it is, if any (section 4.6.4). */
  lookup: "include" | "a" | "mx" | "ptr" | "exists" | "redirect" | null;
  target: string | null;
}

/** ip4:/ip6: networks (RFC 7208 section 5.6): a real address and a prefix length that fits it. */
function validNetwork(text: string): boolean {
  const match = /^[+\-~?]?ip([46]):([^/]+)(?:\/(\d+))?$/i.exec(text);
  if (!match) return true;
  try {
    const bits = match[1] === "4" ? 32 : 128;
    if (match[1] === "4") ipv4ToBytes(match[2] ?? "");
    else ipv6ToBytes(match[2] ?? "");
    return match[3] === undefined || Number(match[3]) <= bits;
  } catch {
    return false;
  }
}

/** The terms after v=spf1, or the first term that is neither a mechanism nor a modifier. */
export function parseSpf(record: string): { terms: SpfTerm[] } | { invalid: string } {
  const terms: SpfTerm[] = [];
  for (const text of record.trim().split(/\s+/).slice(1)) {
    if (MECHANISM.test(text) && validNetwork(text)) {
      const name =
        text
          .replace(/^[+\-~?]/, "")
          .split(/[:/]/)[0]
          ?.toLowerCase() ?? "";
      const lookup = (["include", "a", "mx", "ptr", "exists"] as const).find((k) => k === name) ?? null;
      const colon = text.indexOf(":");
      terms.push({ text, lookup, target: colon >= 0 ? (text.slice(colon + 1).split("/")[0] ?? null) : null });
    } else if (MODIFIER.test(text)) {
      const [name, value] = [text.slice(0, text.indexOf("=")).toLowerCase(), text.slice(text.indexOf("=") + 1)];
      terms.push({ text, lookup: name === "redirect" ? "redirect" : null, target: name === "redirect" ? value : null });
    } else {
      return { invalid: text };
    }
  }
  return { terms };
}

/** DNS lookups the record costs, counting those of every include:d and redirect= record. */
export async function countSpfLookups(resolver: Resolver, terms: SpfTerm[], depth = 0): Promise<number> {
  let count = 0;
  for (const term of terms) {
    if (!term.lookup) continue;
    count++;
    if ((term.lookup === "include" || term.lookup === "redirect") && term.target && depth < MAX_INCLUDE_DEPTH) {
      if (term.target.includes("%")) continue; // a macro (section 7) cannot be followed without a sender
      const answer = await txtRecords(resolver, term.target);
      const record = answer.ok ? versioned(answer.values, "spf1")[0] : undefined;
      const parsed = record ? parseSpf(record) : null;
      if (parsed && "terms" in parsed) count += await countSpfLookups(resolver, parsed.terms, depth + 1);
    }
    if (count > MAX_SPF_LOOKUPS * 2) break;
  }
  return count;
}

/** The include: an outbound relay asks senders to publish, when Facteur can tell from its URL. */
export function relaySpfInclude(relayUrl: string | null | undefined): string | null {
  if (!relayUrl) return null;
  if (relayUrl.startsWith("mailgun:")) return "mailgun.org";
  if (relayUrl.startsWith("cloudflare:")) return "_spf.mx.cloudflare.net";
  return null;
}
