/**
 * What a domain owner should do about one sending source, in one line, from its DMARC results
 * (RFC 7489 section 3.1: DMARC passes when an aligned DKIM signature or aligned SPF passes).
 */
export interface SourceCounts {
  messages: number;
  passed: number;
  dkim_passed: number;
  spf_passed: number;
}

export function sourceAdvice(source: SourceCounts): string {
  if (source.messages === 0) return "no messages reported";
  if (source.passed === source.messages) {
    if (source.dkim_passed < source.messages)
      return "passes through SPF only: sign its mail with DKIM so forwarding keeps it passing";
    return "aligned: nothing to do";
  }
  if (source.passed > 0) return "passes for some messages only: check which of its mail is not signed with DKIM";
  return "fails DMARC: if it sends for you, add it to SPF or sign with DKIM; otherwise it is spoofing your domain";
}
