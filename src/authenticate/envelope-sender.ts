/**
 * Did the envelope sender (SMTP MAIL FROM) itself authenticate? A DSN goes to the envelope
 * sender, not to the header From, so "the From passed DMARC" says nothing about whether a bounce
 * would reach the real sender or an innocent third party whose address was put in MAIL FROM.
 *
 * Yes when SPF passed for the MAIL FROM domain (RFC 7208 section 2.4 checks exactly that
 * identity), or when a passing DKIM signature's d= is in the same organisational domain as the
 * MAIL FROM domain (relaxed alignment, RFC 7489 section 3.1.1, with the public suffix list that
 * mailauth's DMARC alignment uses).
 */
import { getDomain } from "tldts";
import type { AuthResults } from "./index";

function organisationalDomain(domain: string): string {
  const name = domain.toLowerCase().replace(/\.$/, "");
  return getDomain(name, { allowIcannDomains: true, allowPrivateDomains: true }) ?? name;
}

export function mailFromAuthenticated(auth: Pick<AuthResults, "spf" | "dkim">, mailFrom: string): boolean {
  const at = mailFrom.lastIndexOf("@");
  if (at < 0 || at === mailFrom.length - 1) return false;
  const domain = mailFrom.slice(at + 1).toLowerCase();
  if (auth.spf.result === "pass" && auth.spf.domain?.toLowerCase() === domain) return true;
  const org = organisationalDomain(domain);
  return auth.dkim.signatures.some((s) => s.result === "pass" && organisationalDomain(s.domain) === org);
}
