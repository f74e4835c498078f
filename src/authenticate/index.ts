/**
 * Authenticate an inbound message: DKIM (RFC 6376), SPF (RFC 7208, only from a trusted Received
 * header), ARC (RFC 8617) and DMARC (RFC 7489), through the mailauth fence (src/mailauth/). One
 * result object per message and the Authentication-Results text (RFC 8601) for it.
 *
 * The orchestration mirrors mailauth's own `authenticate()`, minus BIMI (its import chain pulls in
 * undici, which does not load in workerd) and minus trusting Received headers blindly.
 */
import type { Resolver } from "../dns/types";
import { checkDmarc, checkSpf, verifyArc, verifyDkim } from "../mailauth";
import { clientFromTopReceived } from "./trusted-received";

export type { Resolver };

export interface CheckResult {
  result: string;
  comment: string;
}

export interface DkimSignatureResult {
  domain: string;
  selector: string;
  result: string;
  aligned: boolean;
}

export interface AuthResults {
  dkim: CheckResult & { signatures: DkimSignatureResult[] };
  spf: CheckResult & { domain?: string; clientIp?: string };
  arc: CheckResult & { instance: number };
  dmarc: CheckResult & { policy?: string; domain?: string };
  /** Domains of the From header's mailboxes (RFC 5322 section 3.6.2). */
  fromDomains: string[];
  /**
   * The author's domain really authenticated: DMARC pass, or a DKIM or SPF pass aligned with the
   * From domain (RFC 7489 section 3.1). Gates bounces (no backscatter) and members-only posts.
   */
  authenticated: boolean;
  /** Authentication-Results field value (after "Authentication-Results:"), RFC 8601 section 2.2. */
  header: string;
  /** mailauth's ARC data, needed to seal the message later (RFC 8617 section 5.1). */
  arcData: unknown;
}

export interface AuthenticateOptions {
  resolver: Resolver;
  authservId: string;
  /** SMTP MAIL FROM as given to the Worker (empty for the null reverse-path). */
  mailFrom: string;
  /** Value of the topmost Received header, if any. */
  topReceived: string | undefined;
  trustedReceivers: RegExp | null;
  /** Seconds since the epoch, for signature expiry (tests pin it). */
  now?: number;
}

/** RFC 8301 section 3.2: keys under 1024 bits must not be considered valid. */
const MIN_KEY_BITS = 1024;

export async function authenticate(raw: Uint8Array, options: AuthenticateOptions): Promise<AuthResults> {
  const { resolver, authservId } = options;
  const input = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const curTime = options.now !== undefined ? new Date(options.now * 1000) : undefined;

  // The message is in memory already: verifyDkim skips mailauth's stream plumbing and per-byte
  // loops (mailauth/dkim-verify.ts; same results).
  const dkimResult = await verifyDkim(input, {
    resolver,
    sender: options.mailFrom || undefined,
    minBitLength: MIN_KEY_BITS,
    ...(curTime ? { curTime } : {}),
  });

  const client = clientFromTopReceived(options.topReceived, options.trustedReceivers);
  let spfCheck: AuthResults["spf"];
  let spfInfo: string;
  let spfPassDomain: string | undefined;
  if (client.trusted) {
    const result = await checkSpf({
      sender: options.mailFrom || undefined,
      ip: client.ip,
      helo: client.helo,
      mta: authservId,
      resolver,
    });
    spfCheck = {
      result: result.status.result,
      comment: typeof result.status.comment === "string" ? result.status.comment : "",
      domain: result.domain,
      clientIp: client.ip,
    };
    spfInfo = result.info;
    if (result.status.result === "pass") spfPassDomain = result.domain;
  } else {
    // RFC 7208 section 2.6.1: "none" when no SPF check could be made. Say why in the comment.
    spfCheck = { result: "none", comment: `client IP unknown: ${client.reason}` };
    spfInfo = `spf=none (${client.reason}) smtp.mailfrom=${options.mailFrom || "<>"}`;
  }

  const arcResult = await verifyArc(dkimResult.arc, { resolver, minBitLength: MIN_KEY_BITS });

  const dkimRows = dkimResult.results ?? [];
  const evaluation = await checkDmarc({
    headerFrom: dkimResult.headerFrom,
    fromFields: dkimResult.fromFields,
    spfDomains: spfPassDomain ? [spfPassDomain] : [],
    dkimDomains: dkimRows
      .filter((row) => row.status.result === "pass")
      .map((row) => ({ id: row.id, domain: row.signingDomain, aligned: row.status.aligned })),
    arcResult,
    resolver,
  });

  const fromDomains = [
    ...new Set((dkimResult.headerFrom ?? []).map((a) => a.slice(a.lastIndexOf("@") + 1).toLowerCase())),
  ];
  const dmarcResponse = evaluation.response;
  let dmarcCheck: AuthResults["dmarc"];
  let dmarcInfo: string;
  if (dmarcResponse) {
    dmarcCheck = {
      result: dmarcResponse.status.result,
      comment: typeof dmarcResponse.status.comment === "string" ? dmarcResponse.status.comment : "",
      policy: dmarcResponse.policy,
      domain: dmarcResponse.domain,
    };
    dmarcInfo = dmarcResponse.info;
  } else {
    // RFC 7489 section 6.6.1: with no single author domain DMARC cannot be evaluated. Facteur's
    // routing rejects such messages (rules/header-from.ts); here it is recorded as permerror.
    const reason = evaluation.reason ?? "no-author-domain";
    dmarcCheck = { result: "permerror", comment: reason };
    dmarcInfo = `dmarc=permerror (${reason})`;
  }

  const alignedDkim = evaluation.dkimAligned ?? new Set<string>();
  const signatures: DkimSignatureResult[] = dkimRows
    .filter((row) => row.signingDomain)
    .map((row) => ({
      domain: row.signingDomain ?? "",
      selector: row.selector ?? "",
      result: row.status.result,
      aligned: row.status.result === "pass" && alignedDkim.has((row.signingDomain ?? "").toLowerCase()),
    }));
  const firstDkim = dkimRows[0];
  const dkimPass = dkimRows.find((row) => row.status.result === "pass");
  const dkimCheck: AuthResults["dkim"] = {
    result: dkimPass ? "pass" : (firstDkim?.status.result ?? "none"),
    comment: String((dkimPass ?? firstDkim)?.status.comment ?? ""),
    signatures,
  };
  const arcCheck: AuthResults["arc"] = {
    result: arcResult.status.result,
    comment: typeof arcResult.status.comment === "string" ? arcResult.status.comment : "",
    instance: typeof arcResult.i === "number" ? arcResult.i : 0,
  };

  const spfAligned =
    spfPassDomain !== undefined && dmarcResponse !== false && Boolean(dmarcResponse.alignment?.spf?.result);
  const authenticated =
    dmarcCheck.result === "pass" || signatures.some((s) => s.aligned) || (spfAligned && fromDomains.length === 1);

  const lines = [...dkimRows.map((row) => row.info), spfInfo, arcResult.info, dmarcInfo].filter(
    (line): line is string => typeof line === "string" && line.length > 0,
  );
  const header = `${authservId};\r\n ${lines.join(";\r\n ")}`;

  return {
    dkim: dkimCheck,
    spf: spfCheck,
    arc: arcCheck,
    dmarc: dmarcCheck,
    fromDomains,
    authenticated,
    header,
    arcData: dkimResult.arc,
  };
}

/** One-line summary for X- headers and the log: "dkim=pass spf=none arc=none dmarc=pass". */
export function summarize(auth: AuthResults): string {
  return `dkim=${auth.dkim.result} spf=${auth.spf.result} arc=${auth.arc.result} dmarc=${auth.dmarc.result}`;
}
