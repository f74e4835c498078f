/**
 * What a domain owner should do about one sending source, in one line, decided from its DMARC
 * results alone (pure). RFC 7489 section 3.1: DMARC passes when an aligned DKIM signature or an
 * aligned SPF result passes. The reporter also says which signatures and SPF domains passed
 * *unaligned* (auth_results), which tells a real sender that authenticates as someone else (a
 * mailing service, a forwarder) from a source that authenticates as nobody.
 *
 * Reverse DNS is deliberately not an input: whoever holds an address block names it, so a PTR
 * under your domain proves nothing, and advising "add it to SPF" on it would authorise a spoofer.
 */
export interface SourceCounts {
  messages: number;
  /** Messages that passed DMARC (aligned DKIM or aligned SPF). */
  passed: number;
  /** Messages with an aligned DKIM pass, and with an aligned SPF pass. */
  dkim_passed: number;
  spf_passed: number;
  /** Messages with any DKIM signature that verified, aligned or not, and any SPF pass, aligned or not. */
  dkim_authenticated: number;
  spf_authenticated: number;
}

export type SourceAction = "none" | "add-to-spf" | "sign-with-dkim" | "spoofing";

export interface SourceAdvice {
  action: SourceAction;
  line: string;
}

export function adviseSource(source: SourceCounts, domain: string): SourceAdvice {
  if (source.messages === 0) return { action: "none", line: "No messages reported." };
  const failed = source.messages - source.passed;
  if (failed <= 0) {
    if (source.dkim_passed < source.messages) {
      return {
        action: "sign-with-dkim",
        line: `Sign its mail with DKIM as ${domain}: it passes through SPF only, which breaks when the mail is forwarded.`,
      };
    }
    return { action: "none", line: "Aligned: nothing to do." };
  }
  // It signs some mail with your key, so it is yours; the rest fails only because SPF does not list it.
  if (source.dkim_passed > 0 && source.spf_passed === 0) {
    return {
      action: "add-to-spf",
      line: `Add it to the SPF record of ${domain}: some of its mail carries your DKIM signature, the rest is unsigned and SPF does not list it.`,
    };
  }
  // It passes sometimes, or authenticates as another domain: a real sender that is not aligned.
  if (source.passed > 0 || source.dkim_authenticated > 0 || source.spf_authenticated > 0) {
    return {
      action: "sign-with-dkim",
      line: `Sign all its mail with DKIM as ${domain}: ${failed} of ${source.messages} messages authenticate only as another domain, or not at all.`,
    };
  }
  return {
    action: "spoofing",
    line: `It is spoofing ${domain}: nothing it sent authenticates, as you or anyone. Add nothing; p=quarantine or p=reject stops it.`,
  };
}
