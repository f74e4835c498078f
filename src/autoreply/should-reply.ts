/**
 * Whether a message may get an automatic reply (RFC 3834 section 2), decided without side effects.
 * Never to: the null sender (a bounce: section 3.3), automatic mail (`Auto-Submitted` other than
 * `no`, section 5), bulk or list mail (`Precedence: bulk|list|junk`, any `List-*` field: section
 * 2 "SHOULD NOT" respond to mailing lists), Facteur's own addresses (a loop with ourselves), and
 * senders that did not authenticate (the envelope sender of unauthenticated mail may be forged, and
 * answering it is backscatter).
 */
import { isAutoSubmitted } from "../mail/auto-submitted";
import type { HeaderField } from "../mail/header-fields";
import { headerValue } from "../mail/header-fields";
import type { AutoReply } from "../store/auto-replies";

export interface ReplyContext {
  mailFrom: string;
  headers: readonly HeaderField[];
  authenticated: boolean;
  /** The sender is one of Facteur's own addresses or domains. */
  senderIsOurs: boolean;
  now: number;
}

export type ReplyVerdict = { reply: true } | { reply: false; reason: string };

const skip = (reason: string): ReplyVerdict => ({ reply: false, reason });

export function shouldAutoReply(settings: AutoReply | null, context: ReplyContext): ReplyVerdict {
  if (!settings?.enabled) return skip("no auto-reply");
  if (settings.startsAt !== null && context.now < settings.startsAt) return skip("before the start date");
  if (settings.endsAt !== null && context.now >= settings.endsAt) return skip("after the end date");
  if (!context.mailFrom) return skip("null sender");
  if (isAutoSubmitted(headerValue(context.headers, "auto-submitted"))) return skip("Auto-Submitted");
  const precedence = headerValue(context.headers, "precedence")?.trim().toLowerCase();
  if (precedence === "bulk" || precedence === "list" || precedence === "junk") return skip(`Precedence: ${precedence}`);
  if (context.headers.some((h) => h.name.startsWith("list-"))) return skip("mailing list mail (List-*)");
  if (context.senderIsOurs) return skip("Facteur's own address");
  if (!context.authenticated) return skip("sender not authenticated");
  return { reply: true };
}
