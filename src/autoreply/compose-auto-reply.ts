/**
 * The auto-reply itself (RFC 3834 section 3): from the alias, to the envelope sender, with
 * `Auto-Submitted: auto-replied` (section 5), `In-Reply-To` the original's Message-ID and
 * `References` extended with it (section 3.1.5 and RFC 5322 section 3.6.4), so the answer threads
 * and is recognised as automatic by any receiver that answers automatically itself.
 */
import { randomToken } from "../core/ids";
import { domainOf } from "../mail/address";
import { composeNotice } from "../mail/notice";
import type { AutoReply } from "../store/auto-replies";

export interface Original {
  alias: string;
  to: string;
  messageId: string | undefined;
  references: string | undefined;
  subject: string | undefined;
}

/** The reply as a binary string (one char per byte), CRLF line endings, unsigned. */
export function composeAutoReply(settings: AutoReply, original: Original, now: number): string {
  const references = [original.references?.trim(), original.messageId].filter(Boolean).join(" ");
  return composeNotice({
    from: { name: "", address: original.alias },
    to: original.to,
    // Section 3.1.5: a subject that shows it is an automatic answer; the owner's, when set.
    subject: settings.subject || `Auto: ${original.subject ?? ""}`.trim(),
    text: settings.body,
    date: new Date(now),
    messageId: `<${randomToken(18)}@${domainOf(original.alias)}>`,
    inReplyTo: original.messageId,
    autoSubmitted: "auto-replied",
    fields: references ? { References: references } : {},
  });
}
