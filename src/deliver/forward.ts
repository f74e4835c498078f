/**
 * Deliver alias mail. Destinations verified in the Cloudflare account go by message.forward(),
 * which keeps the original bytes and may add X- headers only (DESIGN.md). Every other destination
 * goes through the relay: the message with our trace headers prepended is stored in R2 and queued,
 * with an SRS envelope sender so SPF passes at the destination.
 */

import { AUTH_SUMMARY_HEADER, LOOP_HEADER, ORIGINAL_RCPT_HEADER } from "../core/trace-headers";
import { concatBytes } from "../mail/bytes";
import { rfc5322Date } from "../mail/date";
import type { Destination } from "../route/decision";
import { enqueueDelivery } from "./enqueue";

export interface TraceInfo {
  /** Lower-cased recipient this hop delivered for (the loop marker's value). */
  loopKey: string;
  /** Short auth summary, e.g. "dkim=pass spf=none arc=none dmarc=pass". */
  authSummary: string;
  /** Full Authentication-Results value (RFC 8601) for the relayed copy. */
  authResults: string;
  originalRcpt: string;
}

/** Header values come from the network: keep them on one line (RFC 5322 section 2.2). */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

function forwardHeaders(trace: TraceInfo): Headers {
  const headers = new Headers();
  headers.set(LOOP_HEADER, trace.loopKey);
  headers.set(AUTH_SUMMARY_HEADER, oneLine(trace.authSummary));
  headers.set(ORIGINAL_RCPT_HEADER, oneLine(trace.originalRcpt));
  return headers;
}

/** Forward to each verified destination. Returns the ones forward() refused, for the relay. */
export async function forwardVerified(
  message: Pick<ForwardableEmailMessage, "forward">,
  destinations: readonly Destination[],
  trace: TraceInfo,
): Promise<{ forwarded: string[]; refused: { to: string; error: string }[] }> {
  const forwarded: string[] = [];
  const refused: { to: string; error: string }[] = [];
  for (const destination of destinations) {
    try {
      await message.forward(destination.to, forwardHeaders(trace));
      forwarded.push(destination.to);
    } catch (error) {
      // A destination whose verification was withdrawn: do not lose the message, relay it instead.
      refused.push({ to: destination.to, error: (error as Error).message });
    }
  }
  return { forwarded, refused };
}

const encoder = new TextEncoder();

/**
 * Trace fields for a relayed copy, prepended above the original header so the author's
 * DKIM signature still verifies (RFC 6376 section 5.4: signers sign existing fields only).
 * RFC 5321 section 4.4: every relay adds a Received field; RFC 8601: our Authentication-Results.
 */
export function relayTraceBlock(trace: TraceInfo, authservId: string, now: Date): string {
  const fold = (value: string) => oneLine(value).replace(/;\s*/g, ";\r\n\t");
  return (
    `Received: by ${authservId} (Facteur) for <${oneLine(trace.originalRcpt)}>; ${rfc5322Date(now)}\r\n` +
    `Authentication-Results: ${fold(trace.authResults)}\r\n` +
    `${LOOP_HEADER}: ${trace.loopKey}\r\n` +
    `${AUTH_SUMMARY_HEADER}: ${oneLine(trace.authSummary)}\r\n`
  );
}

export function withPrependedHeaders(block: string, raw: Uint8Array): Uint8Array {
  return concatBytes([encoder.encode(block), raw]);
}

/**
 * Queues alias mail for the relay: stores the body in R2 and enqueues delivery jobs. The relay
 * itself runs later, in the delivery consumer. Returns the deliveries rows' ids.
 */
export async function enqueueForRelay(
  env: Pick<Env, "MAIL" | "DB" | "DELIVERY_QUEUE">,
  args: {
    messageLogId: string;
    raw: Uint8Array;
    mailFrom: string;
    recipients: string[];
    domain: string;
    senderAuthenticated: boolean;
    autoSubmitted: boolean;
  },
): Promise<string[]> {
  const { deliveryIds } = await enqueueDelivery(env, { origin: "alias", ...args });
  return deliveryIds;
}
