/**
 * The backscatter policy: may a permanent delivery failure be reported to the envelope sender?
 * A rule (STYLE.md): it decides, it sends nothing.
 *
 * A DSN goes to the envelope sender, which anyone can forge. Bouncing forged mail sends
 * "backscatter" to innocent third parties, so Facteur bounces only mail whose sender was
 * authenticated (SPF pass for the MAIL FROM domain, or a passing DKIM signature aligned with it) and never answers automatic mail.
 */
import type { DeliveryOrigin } from "../core/jobs";
import { isListBounceAddress } from "../mail/minted-address";

export interface BounceCandidate {
  /** Envelope sender of the failed message: where the DSN would go. */
  mailFrom: string;
  /**
   * The envelope sender's own domain authenticated (SPF pass for it, or a passing DKIM signature
   * aligned with it): authenticate/envelope-sender.ts. Not the header From's DMARC result.
   */
  senderAuthenticated: boolean;
  /** The original carried Auto-Submitted other than "no" (RFC 3834 section 5). */
  autoSubmitted: boolean;
  origin: DeliveryOrigin;
  /** The original is itself a delivery report (Content-Type multipart/report). */
  isReport?: boolean;
}

export type BounceSuppression =
  | "null-sender"
  | "mailer-daemon"
  | "report"
  | "auto-submitted"
  | "list-bounce-address"
  | "unauthenticated";

export type BounceVerdict = { bounce: true } | { bounce: false; reason: BounceSuppression };

/** Conventional addresses of mail systems themselves; answering them loops. */
const MAILER_DAEMON = /^(?:mailer-daemon|postmaster)@/i;

export function mayBounce(candidate: BounceCandidate): BounceVerdict {
  // RFC 5321 section 4.5.5 and RFC 3464 section 2: a null reverse-path must never get a DSN.
  if (candidate.mailFrom.trim() === "" || candidate.mailFrom === "<>") return { bounce: false, reason: "null-sender" };
  if (MAILER_DAEMON.test(candidate.mailFrom)) return { bounce: false, reason: "mailer-daemon" };
  // RFC 3464 section 2: a DSN about a DSN is never sent (the report itself travels with <>; this
  // also covers reports Facteur relays for others).
  if (candidate.origin === "dsn" || candidate.isReport) return { bounce: false, reason: "report" };
  // RFC 3834 section 2: automatic responses are not sent to automatically submitted mail.
  if (candidate.autoSubmitted) return { bounce: false, reason: "auto-submitted" };
  // A list's VERP/bounces address: the list itself processes the failure (bounce scoring).
  if (isListBounceAddress(candidate.mailFrom)) return { bounce: false, reason: "list-bounce-address" };
  // No backscatter: an unauthenticated sender may be forged.
  if (!candidate.senderAuthenticated) return { bounce: false, reason: "unauthenticated" };
  return { bounce: true };
}
