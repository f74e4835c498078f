/**
 * What one Email Sending event does to Facteur (a decision: no I/O). The row's status follows the
 * event (delivered → sent, bounced → bounced, failed and rejected → failed); a deferral or a
 * complaint leaves it as it is (Cloudflare still retries; the copy was delivered). A hard bounce or
 * a complaint suppresses the address; for list mail it is also scored against the member as a VERP
 * bounce would be (lists/bounces.ts). A bounce is classified as a DSN would be (lists/
 * bounce-classify.ts), so a refusal for spam reasons neither suppresses nor scores.
 */
import type { DeliveryStatus } from "../core/delivery-status";
import { type BounceKind, classifyReport } from "../lists/bounce-classify";
import type { SuppressionSource } from "../store/suppressions";
import type { SendingEvent, SendingEventKind } from "./event";

export interface EventEffects {
  status: DeliveryStatus | null;
  reply: string;
  suppress: { source: SuppressionSource; reason: string } | null;
  /** For list mail: the bounce to score against the member, or null. */
  score: BounceKind | null;
}

const STATUS: Record<SendingEventKind, DeliveryStatus | null> = {
  delivered: "sent",
  deferred: null,
  bounced: "bounced",
  failed: "failed",
  rejected: "failed",
  complained: null,
};

/** The SMTP-like reply recorded on the row: the receiver's own words when Cloudflare relays them. */
function replyOf(event: SendingEvent): string {
  const words = event.smtpResponse ?? event.bounce?.reason ?? event.detail;
  return `Email Sending ${event.kind}${words ? `: ${words}` : ""}`.replace(/[\r\n]+/g, " ");
}

/** The bounce's kind, as lists/bounce-classify.ts would read the same failure in a DSN (RFC 3464). */
function bounceKind(event: SendingEvent): BounceKind {
  const status = event.enhancedStatus ?? (event.bounce?.type === "hard" ? "5.0.0" : "4.0.0");
  // Cloudflare's own verdict wins over the status digits when they disagree (a hard 4.x.x).
  const kind = classifyReport({
    action: "failed",
    status,
    diagnosticCode: event.bounce?.reason ?? event.smtpResponse ?? undefined,
  });
  if (kind === "spam") return kind;
  return event.bounce?.type === "hard" ? "hard" : "soft";
}

export function decideEvent(event: SendingEvent, origin: string): EventEffects {
  const reply = replyOf(event);
  const base: EventEffects = { status: STATUS[event.kind], reply, suppress: null, score: null };
  const list = origin === "list";
  if (event.kind === "bounced") {
    const kind = bounceKind(event);
    return {
      ...base,
      suppress: kind === "hard" ? { source: "bounce", reason: reply } : null,
      score: list ? kind : null,
    };
  }
  if (event.kind === "complained") {
    // The recipient marked it as spam (a feedback loop): never mail them again, and for a list
    // count it as a hard failure of the member's delivery.
    return { ...base, suppress: { source: "complaint", reason: reply }, score: list ? "hard" : null };
  }
  return base;
}
