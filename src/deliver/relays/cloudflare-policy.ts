/**
 * What the `cloudflare:` relay (Email Sending) must not do, by Cloudflare's own rules:
 * - Email Sending is for transactional mail (Cloudflare's policy, DESIGN.md): list fan-out is
 *   refused unless the operator opts in with `RELAY_URL=cloudflare:?lists=allow`;
 * - Cloudflare sets these header fields itself ("platform-controlled headers", Email Service
 *   reference: E_HEADER_NOT_ALLOWED when given): DKIM-Signature, ARC-*, Return-Path, Received,
 *   Feedback-ID, TLS-Required, TLS-Report-Domain, TLS-Report-Submitter, CFBL-Address and
 *   CFBL-Feedback-ID. They are taken out of the header section before the send; the other fields and
 *   the body go out byte for byte. (Date, Message-ID and the MIME fields are platform-controlled in
 *   the structured API too, but a raw message cannot do without them.)
 */
import type { DeliveryOrigin } from "../../core/jobs";

export const PLATFORM_CONTROLLED = new Set([
  "dkim-signature",
  "return-path",
  "received",
  "feedback-id",
  "tls-required",
  "tls-report-domain",
  "tls-report-submitter",
  "cfbl-address",
  "cfbl-feedback-id",
]);

const isPlatformControlled = (name: string) => PLATFORM_CONTROLLED.has(name) || name.startsWith("arc-");

export function refusesOrigin(origin: DeliveryOrigin, allowLists: boolean): string | null {
  if (origin !== "list" || allowLists) return null;
  return "the cloudflare: relay (Email Sending) is for transactional mail by Cloudflare's policy: use an SMTP or HTTP relay for lists, or opt in with RELAY_URL=cloudflare:?lists=allow";
}

const LF = 0x0a;
const CR = 0x0d;

/** The message without the platform-controlled fields (and their folded continuation lines). */
export function stripPlatformHeaders(raw: Uint8Array): Uint8Array {
  const kept: Uint8Array[] = [];
  let dropping = false;
  let i = 0;
  while (i < raw.length) {
    let end = raw.indexOf(LF, i);
    end = end < 0 ? raw.length : end + 1;
    const first = raw[i];
    // The blank line: the header section ends here, the rest is the body, untouched.
    if (first === LF || (first === CR && raw[i + 1] === LF)) {
      kept.push(raw.subarray(i));
      break;
    }
    if (first !== 0x20 && first !== 0x09) {
      const colon = raw.subarray(i, end).indexOf(0x3a);
      const name =
        colon > 0
          ? String.fromCharCode(...raw.subarray(i, i + colon))
              .trim()
              .toLowerCase()
          : "";
      dropping = isPlatformControlled(name);
    }
    if (!dropping) kept.push(raw.subarray(i, end));
    i = end;
  }
  const out = new Uint8Array(kept.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of kept) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
